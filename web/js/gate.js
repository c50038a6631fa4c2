import {
  STATUS, el, get, guarded, newKey, parseGrams, requireSignIn, showDone, signedPost, tonnes,
} from './cradle.js';
import { loadMethods } from './reference.js';

let who = null;
let current = null;
let methods = [];
const TASKS = {
  TASK_DELIVER: '在途 Expected',
  TASK_RECEIVE: '待接收 To receive',
  TASK_DISPOSE: '待处置 To dispose',
};

// Loads on the road to this site (expected), then what waits at the gate
// and after it, with the working days left where a limit applies.
async function arrivals() {
  const party = encodeURIComponent(who.enterprise);
  const [{ manifests }, { items }] = await Promise.all([
    get(`/v1/manifests?party=${party}&status=MANIFEST_STATUS_IN_TRANSIT&pageSize=100`),
    get(`/v1/inbox?party=${party}`),
  ]);
  const rows = (manifests || []).filter((m) => m.receiver === who.enterprise)
    .map((m) => ({ number: m.number, task: 'TASK_DELIVER', detail: `${m.carrier} · ${(m.legs || []).map((l) => l.vehicle).join(' ')}` }))
    .concat((items || []).filter((i) => i.task in TASKS));
  document.getElementById('arrivals').replaceChildren(...rows.map((i) =>
    el('tr', {},
      el('td', { class: 'mono' }, el('a', { href: '#receive-title', onclick: () => guarded(null, () => open(i.number)) }, i.number)),
      el('td', {}, TASKS[i.task]),
      el('td', {}, i.detail),
      el('td', { class: `num ${i.overdue ? 'bad' : ''}` }, i.dueAt ? (i.overdue ? '逾期 overdue' : String(i.workingDaysLeft)) : '—'))));
}

function meta() {
  return { idempotencyKey: newKey('gate'), deviceTime: new Date().toISOString() };
}

function grams(text, field) {
  const g = parseGrams(text);
  if (!(g >= 0)) throw new Error(`${field}: "${text}" 不是重量 is not a weight such as 1.2t or 850kg`);
  return g;
}

async function open(number) {
  document.getElementById('number').value = number;
  const { manifest } = await get(`/v1/manifests/${encodeURIComponent(number)}`);
  current = manifest;
  document.getElementById('manifest').replaceChildren(el('p', {},
    '联单 Manifest ', el('strong', { class: 'mono' }, manifest.number), ' · ',
    STATUS[manifest.status] || manifest.status, ' · 产生单位 Generator ', el('span', { class: 'mono' }, manifest.generator)));
  const onRoad = manifest.status === 'MANIFEST_STATUS_IN_TRANSIT';
  const atGate = manifest.status === 'MANIFEST_STATUS_DELIVERED';
  document.getElementById('arrive-box').classList.toggle('hidden', !onRoad);
  // The drums are scanned as they come off the truck: before the receipt,
  // which judges whether every listed container arrived.
  const listsContainers = manifest.lines.some((l) => (l.containers || []).length);
  document.getElementById('scan-box').classList.toggle('hidden', !(listsContainers && (onRoad || atGate)));
  const received = ['MANIFEST_STATUS_ACCEPTED', 'MANIFEST_STATUS_PARTIALLY_ACCEPTED'].includes(manifest.status);
  document.getElementById('weigh-box').classList.toggle('hidden', !atGate);
  document.getElementById('receive').classList.toggle('hidden', !atGate);
  document.getElementById('dispose').classList.toggle('hidden', !received);
  document.getElementById('receipt-lines').replaceChildren(...manifest.lines.map((l, i) => el('tr', {},
    el('td', {}, i + 1),
    el('td', {}, `${l.code} ${l.name}`),
    el('td', { class: 'num' }, tonnes(l.quantityG)),
    el('td', {}, el('select', { name: `decision-${i}`, 'aria-label': `第${i + 1}行接收 Line ${i + 1} decision` },
      el('option', { value: 'DECISION_ACCEPT' }, '接收 Accept'),
      el('option', { value: 'DECISION_REJECT' }, '拒收 Reject'))),
    el('td', {}, el('input', { name: `received-${i}`, value: tonnes(l.quantityG).replace(' ', ''), 'aria-label': `第${i + 1}行实收 Line ${i + 1} received` })),
    el('td', {}, el('input', { name: `reason-${i}`, maxlength: 500, 'aria-label': `第${i + 1}行原因 Line ${i + 1} reason` })))));
  // What this site accepted of each line is what it disposes of, by
  // default; a line it rejected whole has nothing to dispose of.
  const here = (manifest.destinations || []).filter((d) => d.receiver === who.enterprise).pop();
  current.disposable = manifest.lines.map((l, i) => ({
    i, l, grams: here && here.acceptedG && here.acceptedG[i] !== undefined ? here.acceptedG[i] : l.quantityG,
  })).filter((x) => Number(x.grams) > 0);
  document.getElementById('disposal-lines').replaceChildren(...current.disposable.map(({ i, l, grams }) => el('tr', {},
    el('td', {}, i + 1),
    el('td', {}, `${l.code} ${l.name}`),
    el('td', {}, el('select', { name: `method-${i}`, 'aria-label': `第${i + 1}行处置方式 Line ${i + 1} method` },
      methods.map((m) => el('option', { value: m.code, selected: m.code === manifest.method }, `${m.code} ${m.name_zh}`)))),
    el('td', {}, el('input', { name: `disposed-${i}`, value: tonnes(grams).replace(' ', ''), 'aria-label': `第${i + 1}行处置数量 Line ${i + 1} quantity` })))));
}

// The load is at the gate: the receiver confirms the carrier's delivery.
async function arrive(button) {
  await guarded(button, async () => {
    await signedPost(`/v1/manifests/${current.number}:deliver`, { meta: meta(), receiver: who.enterprise });
    await open(current.number);
    await arrivals();
    showDone(`已到达 Arrived: ${current.number}`);
  });
}

// The containers read at the gate (SCAN_POINT_ARRIVAL), with the reader
// that read them.
async function gateScan(button) {
  await guarded(button, async () => {
    const containers = document.getElementById('gate-containers').value.split(/\s+/).filter(Boolean);
    if (!containers.length) throw new Error('containers: 请扫描或输入容器编码 scan or type the container codes first');
    await signedPost(`/v1/manifests/${current.number}:scan`, {
      meta: { ...meta(), device: document.getElementById('reader').value.trim() },
      by: who.enterprise, point: 'SCAN_POINT_ARRIVAL', containers,
    });
    document.getElementById('gate-containers').value = '';
    showDone(`到场扫描已记录 Arrival scan recorded: ${containers.length}`);
  });
}

async function weigh(button) {
  await guarded(button, async () => {
    const body = {
      meta: { ...meta(), device: document.getElementById('device').value.trim() },
      by: who.enterprise,
      point: 'WEIGH_POINT_ENTRY',
      grossG: String(grams(document.getElementById('gross').value, 'gross')),
      tareG: String(grams(document.getElementById('tare').value, 'tare')),
    };
    await signedPost(`/v1/manifests/${current.number}:weigh`, body);
    showDone(`过磅已记录 Weighing recorded: ${current.number}`);
  });
}

async function receive(ev) {
  ev.preventDefault();
  await guarded(document.getElementById('receive-button'), async () => {
    const form = ev.target;
    const lines = current.lines.map((l, i) => ({
      line: i + 1,
      decision: form.elements[`decision-${i}`].value,
      quantityG: String(grams(form.elements[`received-${i}`].value, `lines[${i}].quantity`)),
      reason: form.elements[`reason-${i}`].value.trim(),
    }));
    await signedPost(`/v1/manifests/${current.number}:receive`, {
      meta: meta(), receiver: who.enterprise, lines,
      receivedBy: document.getElementById('received-by').value.trim(),
    });
    await open(current.number);
    await arrivals();
    showDone(`已接收 Received: ${current.number}`);
  });
}

async function dispose(ev) {
  ev.preventDefault();
  await guarded(document.getElementById('dispose-button'), async () => {
    const form = ev.target;
    const lines = current.disposable.map(({ i }) => ({
      line: i + 1,
      method: form.elements[`method-${i}`].value,
      quantityG: String(grams(form.elements[`disposed-${i}`].value, `lines[${i}].quantity`)),
    }));
    await signedPost(`/v1/manifests/${current.number}:dispose`, { meta: meta(), receiver: who.enterprise, lines });
    await open(current.number);
    await arrivals();
    showDone(`已处置 Disposed: ${current.number}`);
  });
}

async function main() {
  document.getElementById('refresh').addEventListener('click', (ev) => guarded(ev.target, arrivals));
  document.getElementById('load').addEventListener('click', (ev) => guarded(ev.target, () => open(document.getElementById('number').value.trim())));
  document.getElementById('arrive').addEventListener('click', (ev) => arrive(ev.target));
  document.getElementById('gate-scan').addEventListener('click', (ev) => gateScan(ev.target));
  document.getElementById('weigh').addEventListener('click', (ev) => weigh(ev.target));
  document.getElementById('receive').addEventListener('submit', receive);
  document.getElementById('dispose').addEventListener('submit', dispose);
  methods = await loadMethods();
  who = await requireSignIn();
  if (!who) return;
  await guarded(null, arrivals);
}

main();
