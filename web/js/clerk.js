import {
  STATUS, el, get, guarded, newKey, parseGrams, post, requireSignIn, showDone, showError, tonnes,
} from './cradle.js';
import { loadCatalogue, loadMethods } from './reference.js';

let who = null;
const catalogue = new Map();

function addLine() {
  const lines = document.getElementById('lines');
  const node = document.getElementById('line-template').content.cloneNode(true);
  node.querySelector('.n').textContent = lines.children.length + 1;
  const code = node.querySelector('[name=code]');
  const name = node.querySelector('[name=name]');
  code.addEventListener('change', () => {
    // "900-249-08 废矿物油…" from the list: keep the code, fill the name.
    const picked = code.value.trim().split(/\s+/)[0];
    code.value = picked;
    const entry = catalogue.get(picked);
    if (entry && !name.value) name.value = entry.name;
  });
  lines.append(node);
}

// The form as an OpenManifestRequest; throws naming the field it cannot read.
function request(form) {
  const value = (n) => form.elements[n].value.trim();
  const req = {
    meta: { idempotencyKey: newKey('page-open') },
    generator: value('generator'),
    carrier: value('carrier'),
    receiver: value('receiver'),
    method: value('method'),
    draft: form.elements.draft.checked,
    lines: [],
    dispatch: {
      contact: value('contact'),
      contactMobile: value('contactMobile'),
      emergencyPhone: value('emergencyPhone'),
      address: value('address'),
      plannedDate: value('plannedDate'),
      planNumber: value('planNumber'),
    },
  };
  document.querySelectorAll('#lines .line').forEach((line, i) => {
    const v = (n) => line.querySelector(`[name=${n}]`).value.trim();
    const grams = parseGrams(v('quantity'));
    if (!(grams > 0)) {
      throw new Error(`lines[${i}].quantity: "${v('quantity')}" 不是数量 is not a quantity such as 1.2t or 850kg`);
    }
    const out = {
      code: v('code'),
      quantityG: String(grams),
      packaging: v('packaging'),
      packageCount: Number(v('packageCount') || 0),
      name: v('name'),
      commonName: v('commonName'),
      constituents: v('constituents'),
      precautions: v('precautions'),
      dgClass: v('dgClass'),
      unNumber: v('unNumber'),
      hazards: [...line.querySelectorAll('[name=hazard]:checked')].map((c) => c.value),
      containers: v('containers').split(/\s+/).filter(Boolean),
    };
    if (v('form')) out.form = v('form');
    if (v('purpose')) out.purpose = v('purpose');
    req.lines.push(out);
  });
  return req;
}

async function open(ev) {
  ev.preventDefault();
  const form = ev.target;
  await guarded(document.getElementById('submit'), async () => {
    let req;
    try {
      req = request(form);
    } catch (e) {
      showError(e);
      return;
    }
    const { manifest } = await post('/v1/manifests', req);
    showDone(`联单已开具 Manifest opened: ${manifest.number}`);
    document.getElementById('opened').replaceChildren(
      el('p', {}, '联单号 Manifest no. ', el('strong', { id: 'opened-number' }, manifest.number),
        ' · ', STATUS[manifest.status] || manifest.status));
    await inbox();
  });
}

// The HJ 1276 code of a container: the generator's USCC, the waste code's
// eight digits, the date (China time) and the day's number, as
// domain::FormatContainerCode makes it.
function containerCode(generator, wasteCode, seq) {
  const day = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  return `${generator}${wasteCode.replaceAll('-', '')}${day}${String(seq).padStart(3, '0')}`;
}

const DRUMS = 'cradle.drums';

function showDrums() {
  const codes = JSON.parse(sessionStorage.getItem(DRUMS) || '[]');
  document.getElementById('drums').replaceChildren(...codes.map((c) => el('li', { class: 'mono' }, c)));
  const link = document.getElementById('labels-link');
  link.classList.toggle('hidden', codes.length === 0);
  link.href = `/labels.html?codes=${codes.join(',')}`;
}

async function registerDrum(button) {
  await guarded(button, async () => {
    const waste = document.getElementById('drum-waste').value.trim().split(/\s+/)[0];
    const weight = parseGrams(document.getElementById('drum-weight').value);
    if (!(weight > 0)) throw new Error(`container.weight: "${document.getElementById('drum-weight').value}" 不是重量 is not a weight such as 200kg`);
    const code = containerCode(who.enterprise, waste, Number(document.getElementById('drum-seq').value));
    const { container } = await post('/v1/containers', {
      meta: { idempotencyKey: newKey('page-drum') },
      container: {
        code, generator: who.enterprise, wasteCode: waste, weightG: String(weight),
        packaging: document.getElementById('drum-packaging').value,
        constituents: document.getElementById('drum-constituents').value.trim(),
      },
    });
    const codes = JSON.parse(sessionStorage.getItem(DRUMS) || '[]');
    if (!codes.includes(container.code)) codes.push(container.code);
    sessionStorage.setItem(DRUMS, JSON.stringify(codes));
    document.getElementById('drum-seq').value = Number(document.getElementById('drum-seq').value) + 1;
    showDrums();
    showDone(`容器已登记 Container registered: ${container.code}`);
  });
}

async function inbox() {
  if (!who) return;
  const body = document.getElementById('inbox');
  const { manifests } = await get(`/v1/manifests?party=${encodeURIComponent(who.enterprise)}&pageSize=50`);
  body.replaceChildren(...(manifests || []).map((m) => {
    const grams = (m.lines || []).reduce((s, l) => s + Number(l.quantityG || 0), 0);
    return el('tr', {},
      el('td', { class: 'mono' }, m.number),
      el('td', {}, STATUS[m.status] || m.status),
      el('td', { class: 'mono' }, m.receiver),
      el('td', { class: 'num' }, tonnes(grams)),
      el('td', {}, (m.flags || []).map((f) => f.kind.replace('FLAG_KIND_', '')).join(', ')),
      el('td', {}, el('a', { href: `/print.html?number=${m.number}` }, '打印 Print')));
  }));
}

async function risk() {
  if (!who) return;
  const box = document.getElementById('risk');
  try {
    const { risk: r } = await get(`/v1/enterprises/${encodeURIComponent(who.enterprise)}/risk`);
    box.replaceChildren(
      el('p', {}, '风险等级 Risk colour: ', el('span', { class: `risk-${r.colour}`, id: 'risk-colour' }, r.colour)),
      el('p', {}, `未关闭标记 Open flags: ${r.openFlags}，其中高风险 of them high: ${r.openHigh}`),
      el('p', { class: 'mono' }, (r.flagIds || []).join(' ')));
  } catch (e) {
    box.textContent = e.message;
  }
}

async function main() {
  addLine();
  document.getElementById('addline').addEventListener('click', addLine);
  document.getElementById('open').addEventListener('submit', open);
  document.getElementById('refresh').addEventListener('click', (ev) => guarded(ev.target, inbox));
  document.getElementById('register-drum').addEventListener('click', (ev) => registerDrum(ev.target));
  showDrums();
  const [entries, methods] = await Promise.all([loadCatalogue(), loadMethods()]);
  const list = document.getElementById('catalogue');
  for (const e of entries) {
    catalogue.set(e.code, e);
    list.append(el('option', { value: `${e.code} ${e.name}` }));
  }
  const select = document.getElementById('method');
  for (const m of methods) select.append(el('option', { value: m.code }, `${m.code} ${m.name_zh}`));
  who = await requireSignIn();
  if (!who) return;
  document.getElementById('generator').value = who.enterprise || '';
  await guarded(null, inbox);
  await risk();
}

main();
