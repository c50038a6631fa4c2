// Container labels in the manner of HJ 1276-2022: the waste's name, code
// and category, hazards, constituents, the generator, the date, weight and
// the digital identification code, with that code as a QR code that the
// driver's page scans. cradlectl label print makes the same as PDF.

import { el, get, guarded, requireSignIn, tonnes } from './cradle.js';
import qrcode from '/vendor/qrcode-generator/qrcode.mjs';

const HAZARD = {
  HAZARD_CHARACTERISTIC_TOXICITY: '毒性 T', HAZARD_CHARACTERISTIC_CORROSIVITY: '腐蚀性 C',
  HAZARD_CHARACTERISTIC_IGNITABILITY: '易燃性 I', HAZARD_CHARACTERISTIC_REACTIVITY: '反应性 R',
  HAZARD_CHARACTERISTIC_INFECTIVITY: '感染性 In',
};

function label(c, generator) {
  const qr = qrcode(0, 'M');
  qr.addData(c.code);
  qr.make();
  const line = (k, v) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v || '—'));
  return el('section', { class: 'label', 'data-code': c.code },
    el('h2', {}, '危险废物'),
    el('div', { class: 'label-body' },
      el('table', {}, el('tbody', {},
        line('废物名称', c.name),
        line('废物代码', c.wasteCode),
        line('危险特性', (c.hazards || []).map((h) => HAZARD[h]).join('、')),
        line('主要成分', c.constituents),
        line('产生单位', generator),
        line('产生日期', c.generationDate),
        line('重量', tonnes(c.weightG)),
        line('包装', c.packaging))),
      el('figure', {},
        el('img', { class: 'label-qr', src: qr.createDataURL(4, 4), alt: `数字识别码 ${c.code}` }),
        el('figcaption', { class: 'mono' }, c.code))));
}

async function main() {
  document.getElementById('print').addEventListener('click', () => window.print());
  if (!(await requireSignIn())) return;
  const codes = (new URLSearchParams(location.search).get('codes') || '').split(',').filter(Boolean);
  await guarded(null, async () => {
    const containers = await Promise.all(codes.map(async (code) =>
      (await get(`/v1/containers/${encodeURIComponent(code)}`)).container));
    const names = {};
    for (const c of containers) {
      if (!(c.generator in names)) {
        names[c.generator] = (await get(`/v1/enterprises/${encodeURIComponent(c.generator)}`)).enterprise.name;
      }
    }
    document.getElementById('labels').replaceChildren(...containers.map((c) => label(c, names[c.generator])));
  });
}

main();
