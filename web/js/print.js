// The manifest as the legal form prints it, with the server's seal as a QR
// code that a roadside check verifies offline (check.html). The browser
// prints it (window.print); cradlectl manifest print makes the same as PDF.

import { STATUS, el, get, guarded, requireSignIn, tonnes } from './cradle.js';
import { sealQrText } from './seal.js';
import qrcode from '/vendor/qrcode-generator/qrcode.mjs';

const HAZARD = {
  HAZARD_CHARACTERISTIC_TOXICITY: 'T', HAZARD_CHARACTERISTIC_CORROSIVITY: 'C',
  HAZARD_CHARACTERISTIC_IGNITABILITY: 'I', HAZARD_CHARACTERISTIC_REACTIVITY: 'R',
  HAZARD_CHARACTERISTIC_INFECTIVITY: 'In',
};
const FORM = {
  PHYSICAL_FORM_SOLID: '固态', PHYSICAL_FORM_SEMI_SOLID: '半固态', PHYSICAL_FORM_LIQUID: '液态', PHYSICAL_FORM_GAS: '气态',
};
const PURPOSE = { TRANSFER_PURPOSE_UTILISE: '利用', TRANSFER_PURPOSE_DISPOSE: '处置', TRANSFER_PURPOSE_STORE: '贮存' };

async function party(id) {
  try {
    const { enterprise } = await get(`/v1/enterprises/${encodeURIComponent(id)}`);
    return `${enterprise.name}（${id}）`;
  } catch (e) {
    return id;
  }
}

function row(label, value) {
  return el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, value || '—'));
}

async function main() {
  document.getElementById('print').addEventListener('click', () => window.print());
  if (!(await requireSignIn())) return;
  const number = new URLSearchParams(location.search).get('number') || '';
  await guarded(null, async () => {
    const [{ manifest: m }, { seal }] = await Promise.all([
      get(`/v1/manifests/${encodeURIComponent(number)}`),
      get(`/v1/manifests/${encodeURIComponent(number)}/seal`),
    ]);
    const [generator, carrier, receiver] = await Promise.all([party(m.generator), party(m.carrier), party(m.receiver)]);
    const qr = qrcode(0, 'M');
    qr.addData(sealQrText(seal));
    qr.make();
    const d = m.dispatch || {};
    document.title = `危险废物转移联单 ${m.number}`;
    document.getElementById('form').replaceChildren(
      el('h2', {}, '危险废物转移联单 ', el('span', { class: 'en' }, 'Hazardous waste transfer manifest')),
      el('div', { class: 'seal' },
        el('img', { id: 'seal-qr', src: qr.createDataURL(4, 4), alt: `联单 ${m.number} 的封印二维码 Seal of manifest ${m.number}` }),
        el('p', { class: 'mono' }, `${m.number} · v${seal.version} · ${STATUS[seal.status] || seal.status}`)),
      el('table', { class: 'form' }, el('tbody', {},
        row('联单编号 Manifest no.', m.number),
        row('状态 Status', STATUS[m.status] || m.status),
        row('产生单位 Generator', generator),
        row('运输单位 Carrier', carrier),
        row('接收单位 Receiver', receiver),
        row('处置方式 Method', m.method),
        row('联系人 Contact', `${d.contact || ''} ${d.contactMobile || ''}`.trim()),
        row('应急电话 Emergency line', d.emergencyPhone),
        row('产生地址 Address', d.address),
        row('计划转移日期 Planned date', d.plannedDate),
        row('管理计划备案号 Plan filing no.', d.planNumber))),
      el('h3', {}, '危险废物 ', el('span', { class: 'en' }, 'Waste')),
      el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, ...['代码 Code', '名称 Name', '数量 Quantity', '包装 Packaging', '形态 Form', '危险特性 Hazards', '目的 Purpose', '容器 Containers']
          .map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...m.lines.map((l) => el('tr', {},
          el('td', { class: 'mono' }, l.code), el('td', {}, l.name),
          el('td', { class: 'num' }, tonnes(l.quantityG)),
          el('td', {}, `${l.packaging} ×${l.packageCount}`),
          el('td', {}, FORM[l.form] || ''), el('td', {}, (l.hazards || []).map((h) => HAZARD[h]).join(' ')),
          el('td', {}, PURPOSE[l.purpose] || ''), el('td', { class: 'mono' }, (l.containers || []).join(' '))))))),
      el('h3', {}, '运输 ', el('span', { class: 'en' }, 'Legs')),
      el('ul', {}, ...(m.legs || []).map((l) => el('li', {}, `${l.number}. ${l.carrier} ${l.vehicle} ${l.driver || ''}`))),
      el('p', { class: 'en' }, '扫描二维码可离线核验真伪（路检核验）。Scan the code to check this paper offline (the roadside check).'));
  });
}

main();
