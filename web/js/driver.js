import {
  deviceName, el, get, guarded, newKey, requireSignIn, showDone, showError, signedPost,
} from './cradle.js';
import { Scanner } from './scanner.js';
import { enqueue, discard, isOffline, pending, upload } from './queue.js';
import { isSeal, parseSeal } from './seal.js';

let who = null;
let scanner = null;
const TASKS = {
  TASK_PICKUP: '待提货 To pick up',
  TASK_DELIVER: '运输中 On the road',
};

function showQueue() {
  const items = pending();
  document.getElementById('queue-count').textContent = items.length;
  document.getElementById('queue').replaceChildren(...items.map((item, i) =>
    el('li', {},
      `${item.label} · ${new Date(item.queuedAt).toLocaleString('zh-CN')}`,
      item.refused ? el('span', { class: 'bad' }, ` 被拒 refused: ${item.refused} `) : ' ',
      item.refused ? el('button', { type: 'button', class: 'secondary', onclick: () => { discard(i); showQueue(); } }, '删除 Discard') : null)));
}

function showNetwork() {
  document.getElementById('network').textContent = navigator.onLine
    ? '在线 Online' : '离线：操作将保存在本机，联网后上传 Offline: writes wait on this phone and upload when the network is back';
}

async function loads() {
  if (!who) return;
  const { items } = await get(`/v1/inbox?party=${encodeURIComponent(who.enterprise)}`);
  const rows = (items || []).filter((i) => i.task in TASKS);
  localStorage.setItem('cradle.loads', JSON.stringify(rows));
  render(rows);
}

function render(rows) {
  document.getElementById('loads').replaceChildren(...rows.map((i) => el('tr', {},
    el('td', { class: 'mono' }, el('a', { href: '#scan-title', onclick: () => { document.getElementById('number').value = i.number; } }, i.number)),
    el('td', {}, TASKS[i.task]),
    el('td', {}, i.detail))));
}

function onScan(text) {
  if (isSeal(text)) {
    try {
      const seal = parseSeal(text);
      document.getElementById('number').value = seal.number;
      document.getElementById('scanned').textContent = `联单 Manifest ${seal.number} (${seal.status})`;
    } catch (e) {
      showError(e);
    }
    return;
  }
  // Anything else is a container's label: its HJ 1276 code.
  const box = document.getElementById('containers');
  const codes = new Set(box.value.split(/\s+/).filter(Boolean));
  codes.add(text.trim());
  box.value = [...codes].join('\n');
  document.getElementById('scanned').textContent = `容器 Container ${text.trim()}`;
}

// An attested write now, or queued when the network is away.
async function write(label, path, body) {
  body.meta = {
    ...(body.meta || {}), idempotencyKey: newKey('page'), deviceTime: new Date().toISOString(), device: deviceName(),
  };
  try {
    await signedPost(path, body);
    showDone(`${label}: 已记录 recorded`);
  } catch (e) {
    if (!isOffline(e)) throw e;
    enqueue(label, path, body);
    showDone(`${label}: 已保存，待上传 saved on this phone; it uploads when the network is back`);
  }
  showQueue();
  await loads().catch(() => {});
}

// The manifest number typed or scanned; throws naming the field.
function manifestNumber() {
  const number = document.getElementById('number').value.trim();
  if (!/^\d{14}$/.test(number)) throw new Error(`number: "${number}" 不是联单号 is not a manifest number (14 digits)`);
  return number;
}

// The pickup: the containers scanned at loading, then the load taken on
// this vehicle. The receiver's gate confirms the arrival (gate.html).
async function pickup(button) {
  await guarded(button, async () => {
    const number = manifestNumber();
    const containers = document.getElementById('containers').value.split(/\s+/).filter(Boolean);
    const vehicle = document.getElementById('vehicle').value.trim();
    localStorage.setItem('cradle.vehicle', vehicle);
    // A vehicle collecting from several consignors picks each one's load up
    // on the same trip (车次); the server refuses a trip that has ended.
    const trip = document.getElementById('trip').value.trim();
    localStorage.setItem('cradle.trip', trip);
    if (containers.length) {
      await write(`扫描 Scan ${number}`, `/v1/manifests/${number}:scan`,
        { by: who.enterprise, point: 'SCAN_POINT_LOAD', containers });
    }
    await write(`提货 Pickup ${number}`, `/v1/manifests/${number}:pickup`,
      trip ? { carrier: who.enterprise, vehicle, trip } : { carrier: who.enterprise, vehicle });
    document.getElementById('containers').value = '';
  });
}

// A relay seen from the carrier taking the load over: the drums it
// scanned onto its own vehicle (SCAN_POINT_RELAY), before or after the
// handing carrier records the relay.
async function takeOver(button) {
  await guarded(button, async () => {
    const number = manifestNumber();
    const containers = document.getElementById('containers').value.split(/\s+/).filter(Boolean);
    if (!containers.length) throw new Error('containers: 请先扫描容器标签 scan the drums taken over first');
    await write(`接驳扫描 Relay scan ${number}`, `/v1/manifests/${number}:scan`,
      { by: who.enterprise, point: 'SCAN_POINT_RELAY', containers });
    document.getElementById('containers').value = '';
  });
}

// A relay: this carrier hands the load to the next one, on its vehicle.
// The next carrier scans the drums it takes (SCAN_POINT_RELAY) on its own
// phone.
async function relay(button) {
  await guarded(button, async () => {
    const number = manifestNumber();
    await write(`接驳 Relay ${number}`, `/v1/manifests/${number}:relay`, {
      fromCarrier: who.enterprise,
      toCarrier: document.getElementById('next-carrier').value.trim(),
      vehicle: document.getElementById('next-vehicle').value.trim(),
    });
  });
}

async function main() {
  showQueue();
  showNetwork();
  window.addEventListener('online', async () => { showNetwork(); await upload(); showQueue(); });
  window.addEventListener('offline', showNetwork);
  document.getElementById('vehicle').value = localStorage.getItem('cradle.vehicle') || '';
  document.getElementById('trip').value = localStorage.getItem('cradle.trip') || '';
  render(JSON.parse(localStorage.getItem('cradle.loads') || '[]'));
  document.getElementById('scan').addEventListener('click', (ev) => guarded(ev.target, async () => {
    const video = document.getElementById('video');
    video.classList.remove('hidden');
    scanner = new Scanner(video, onScan);
    await scanner.start();
  }));
  document.getElementById('stop').addEventListener('click', () => {
    if (scanner) scanner.stop();
    document.getElementById('video').classList.add('hidden');
  });
  document.getElementById('pickup').addEventListener('click', (ev) => pickup(ev.target));
  document.getElementById('relay').addEventListener('click', (ev) => relay(ev.target));
  document.getElementById('take-over').addEventListener('click', (ev) => takeOver(ev.target));
  document.getElementById('upload').addEventListener('click', (ev) => guarded(ev.target, async () => {
    const sent = await upload();
    showQueue();
    showDone(`已上传 Uploaded: ${sent}`);
  }));
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  who = await requireSignIn();
  if (!who) return;
  await guarded(null, loads);
  if (navigator.onLine && pending().length) { await upload(); showQueue(); }
}

main();
