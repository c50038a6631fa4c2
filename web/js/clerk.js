import {
  STATUS, el, get, guarded, newKey, parseGrams, post, requireSignIn, showDone, showError, tonnes,
} from './cradle.js';
import { loadConsultations, setUpConsultations } from './consult.js';
import { loadPlan, setUpPlan } from './plan.js';
import { loadCatalogue, loadMethods } from './reference.js';
import { revisionAnswer } from './revisions.js';
import { loadStock, setUpStock, storeContainer } from './stock.js';

let who = null;
// Resolved with `who` once the page has read who signed in.
let knowWho;
const whoKnown = new Promise((resolve) => { knowWho = resolve; });
// The signed-in enterprise, once the page has read it: the buttons are live
// before, and one pressed early waits for it.
async function signedIn() {
  const w = await whoKnown;
  if (!w?.enterprise) throw new Error('请先以企业身份登录 sign in as an enterprise first');
  return w.enterprise;
}
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
  document.getElementById('drums').replaceChildren(...codes.map((c) => el('li', { 'data-code': c },
    el('span', { class: 'mono' }, c), ' ',
    el('button', {
      type: 'button', class: 'secondary', 'aria-label': `入库 Store ${c}`,
      onclick: (ev) => storeContainer(ev.target, c, signedIn),
    }, '入库 Store'))));
  const link = document.getElementById('labels-link');
  link.classList.toggle('hidden', codes.length === 0);
  link.href = `/labels.html?codes=${codes.join(',')}`;
}

async function registerDrum(button) {
  await guarded(button, async () => {
    const waste = document.getElementById('drum-waste').value.trim().split(/\s+/)[0];
    const weight = parseGrams(document.getElementById('drum-weight').value);
    if (!(weight > 0)) throw new Error(`container.weight: "${document.getElementById('drum-weight').value}" 不是重量 is not a weight such as 200kg`);
    const me = await signedIn();
    const code = containerCode(me, waste, Number(document.getElementById('drum-seq').value));
    const { container } = await post('/v1/containers', {
      meta: { idempotencyKey: newKey('page-drum') },
      container: {
        code, generator: me, wasteCode: waste, weightG: String(weight),
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

const TASKS = {
  TASK_ISSUE: '待开具 Draft to issue',
  TASK_REROUTE: '待转运 Rejected part to send on',
  TASK_ANSWER_REVISION: '待审批更正 Revision to answer',
  TASK_FIX_RETURN: '被退回 Returned: fix by revision',
  // An enterprise in several roles (a collector receives too) sees these.
  TASK_PICKUP: '待起运 Load to pick up',
  TASK_DELIVER: '运输中 On the road',
  TASK_RECEIVE: '待接收 Load to receive',
  TASK_DISPOSE: '待利用处置 Accepted, to dispose of',
};

// The inbox (what waits on this enterprise), its manifests and its risk
// colour.
async function inbox() {
  if (!who) return;
  const party = encodeURIComponent(who.enterprise);
  const [{ items }, { manifests }] = await Promise.all([
    get(`/v1/inbox?party=${party}`),
    get(`/v1/manifests?party=${party}&pageSize=50`),
  ]);
  document.getElementById('tasks').replaceChildren(...(items || []).map((i) => el('tr', { 'data-task': i.task, 'data-revision': i.revision || undefined },
    el('td', {}, TASKS[i.task] || i.task),
    el('td', { class: 'mono' }, i.number),
    el('td', {}, i.revision ? el('span', { class: 'mono' }, `${i.revision} `) : '', i.detail),
    el('td', { class: i.overdue ? 'bad' : '' }, i.dueAt ? `${i.overdue ? '逾期 overdue ' : ''}${i.dueAt.slice(0, 16).replace('T', ' ')} UTC` : '—'),
    el('td', {}, ...action(i)))));
  document.getElementById('inbox').replaceChildren(...(manifests || []).map((m) => {
    const grams = (m.lines || []).reduce((s, l) => s + Number(l.quantityG || 0), 0);
    return el('tr', {},
      el('td', { class: 'mono' }, m.number),
      el('td', {}, STATUS[m.status] || m.status),
      el('td', { class: 'mono' }, m.receiver),
      el('td', { class: 'num' }, tonnes(grams)),
      el('td', {}, (m.flags || []).map((f) => f.kind.replace('FLAG_KIND_', '')).join(', ')),
      el('td', {}, el('a', { href: `/print.html?number=${m.number}` }, '打印 Print')));
  }));
  // What was just done may raise or clear a flag, or ship under the plan:
  // the colour and the plan's figures follow.
  await risk();
  await loadPlan(who.enterprise);
  await loadStock(who.enterprise);
}

// What the clerk can do about an inbox item, in its row.
function action(item) {
  if (item.task === 'TASK_ISSUE') {
    return [el('button', {
      type: 'button',
      onclick: (ev) => guarded(ev.target, async () => {
        await post(`/v1/manifests/${item.number}:issue`,
          { meta: { idempotencyKey: newKey('page-issue') }, generator: who.enterprise });
        showDone(`联单已开具 Manifest issued: ${item.number}`);
        await inbox();
      }),
    }, '开具 Issue')];
  }
  if (item.task === 'TASK_ANSWER_REVISION') return revisionAnswer(item, who.enterprise, inbox);
  if (item.task === 'TASK_REROUTE') {
    // The rejected part sent on: to another receiver, or back to this
    // generator (its own USCC), by a carrier on a vehicle.
    const field = (name, label) => el('input', { name, maxlength: 18, 'aria-label': `${label} (${item.number})`, class: 'note' });
    const to = field('to', '改送单位 Send to (USCC)');
    const carrier = field('carrier', '运输单位 Carrier (USCC)');
    const vehicle = field('vehicle', '车牌号 Vehicle plate');
    return [to, carrier, vehicle, el('button', {
      type: 'button',
      onclick: (ev) => guarded(ev.target, async () => {
        await post(`/v1/manifests/${item.number}:reroute`, {
          meta: { idempotencyKey: newKey('page-reroute') },
          generator: who.enterprise,
          to: to.value.trim(),
          carrier: carrier.value.trim(),
          vehicle: vehicle.value.trim(),
        });
        showDone(`已改送 Sent on: ${item.number} → ${to.value.trim()}`);
        await inbox();
      }),
    }, '改送 Send on')];
  }
  if (item.task === 'TASK_FIX_RETURN') {
    return [el('a', {
      href: '#revise-title',
      onclick: () => { document.getElementById('revise-number').value = item.number; guarded(null, showOld); },
    }, '更正 Revise')];
  }
  return [];
}

// The fields a revision may change, as domain::FieldValue reads them from
// a manifest: the text a revision's old_value must repeat.
const lastOf = (list) => (list && list.length ? list[list.length - 1] : {});
const REVISABLE = {
  'dispatch.contact': ['联系人 Contact', (m) => m.dispatch?.contact],
  'dispatch.contact_mobile': ['联系电话 Contact\'s mobile', (m) => m.dispatch?.contactMobile],
  'dispatch.emergency_phone': ['应急电话 Emergency line', (m) => m.dispatch?.emergencyPhone],
  'dispatch.address': ['产生地址 Address', (m) => m.dispatch?.address],
  'dispatch.planned_date': ['计划转移日期 Planned date', (m) => m.dispatch?.plannedDate],
  'dispatch.plan_number': ['管理计划备案号 Plan filing no.', (m) => m.dispatch?.planNumber],
  receiver: ['接收单位 Receiver', (m) => m.receiver],
  carrier: ['运输单位 Carrier', (m) => m.carrier],
  method: ['处置方式 Method', (m) => m.method],
  vehicle: ['车牌号 Vehicle', (m) => lastOf(m.legs).vehicle],
  'lines[].code': ['废物代码 Waste code', (l) => l.code],
  'lines[].name': ['废物名称 Name', (l) => l.name],
  'lines[].common_name': ['俗称 Common name', (l) => l.commonName],
  'lines[].quantity_g': ['数量（克）Quantity (g)', (l) => l.quantityG],
  'lines[].packaging': ['包装方式 Packaging', (l) => l.packaging],
  'lines[].package_count': ['包装数量 Packages', (l) => String(l.packageCount ?? 0)],
  'lines[].form': ['形态 Form', (l) => (!l.form || l.form === 'PHYSICAL_FORM_UNSPECIFIED' ? '' : l.form.replace('PHYSICAL_FORM_', ''))],
  'lines[].constituents': ['主要成分 Constituents', (l) => l.constituents],
  'lines[].precautions': ['注意事项 Precautions', (l) => l.precautions],
};

let revising = null;  // the manifest the revision form reads

// The field path the form names: "lines[0].quantity_g" for line 1.
function revisedField() {
  const row = document.getElementById('revise-field').value;
  if (!row.startsWith('lines[]')) return row;
  const line = Number(document.getElementById('revise-line').value);
  if (!(Number.isInteger(line) && line >= 1)) {
    throw new Error(`line: "${document.getElementById('revise-line').value}" 不是行号 is not a line number (1, 2, …)`);
  }
  return row.replace('[]', `[${line - 1}]`);
}

// Reads the manifest named in the form and shows the field's value now.
async function showOld() {
  const number = document.getElementById('revise-number').value.trim();
  const old = document.getElementById('revise-old');
  old.value = '';
  if (!/^\d{14}$/.test(number)) return;
  if (!revising || revising.number !== number) {
    ({ manifest: revising } = await get(`/v1/manifests/${number}`));
  }
  const row = document.getElementById('revise-field').value;
  const read = REVISABLE[row][1];
  if (row.startsWith('lines[]')) {
    const line = (revising.lines || [])[Number(document.getElementById('revise-line').value) - 1];
    old.value = line ? (read(line) ?? '') : '';
  } else {
    old.value = read(revising) ?? '';
  }
  showRevisions();
}

function showRevisions() {
  const list = (revising && revising.revisions) || [];
  document.getElementById('revisions').replaceChildren(...list.map((r) => el('li', { 'data-id': r.id },
    el('span', { class: 'mono' }, r.id), ' · ', r.state.replace('REVISION_STATE_', ''), ' · ',
    (r.changes || []).map((c) => `${c.field}: "${c.oldValue}" → "${c.newValue}"`).join('; '),
    r.state === 'REVISION_STATE_PENDING'
      ? ` · 待 waiting on ${(r.approvers || []).filter((a) => !(r.answers || []).some((x) => x.by === a)).join(', ')}${r.needsRegulator ? ' + 监管部门 regulator' : ''}`
      : '')));
}

async function propose(button) {
  await guarded(button, async () => {
    const me = await signedIn();
    const number = document.getElementById('revise-number').value.trim();
    if (!/^\d{14}$/.test(number)) throw new Error(`number: "${number}" 不是联单号 is not a manifest number (14 digits)`);
    revising = null;
    await showOld();
    const field = revisedField();
    const { revision, manifest } = await post(`/v1/manifests/${number}:proposeRevision`, {
      meta: { idempotencyKey: newKey('page-revise') },
      by: me,
      changes: [{ field, oldValue: document.getElementById('revise-old').value, newValue: document.getElementById('revise-new').value.trim() }],
      reason: document.getElementById('revise-reason').value.trim(),
    });
    revising = manifest;
    await showOld();
    const state = (manifest.revisions || []).find((r) => r.id === revision)?.state || '';
    showDone(`更正已提出 Revision proposed: ${revision} · ${state.replace('REVISION_STATE_', '')}`);
    await inbox();
  });
}

const SEVERITY = { SEVERITY_HIGH: '高 HIGH', SEVERITY_MEDIUM: '中 MEDIUM', SEVERITY_LOW: '低 LOW' };

// The colour, and why: the open flags it counts.
async function risk() {
  if (!who) return;
  const box = document.getElementById('risk');
  try {
    const party = encodeURIComponent(who.enterprise);
    const [{ risk: r }, { flags }] = await Promise.all([
      get(`/v1/enterprises/${party}/risk`),
      get(`/v1/flags?enterprise=${party}&pageSize=200`),
    ]);
    box.replaceChildren(
      el('p', {}, '风险等级 Risk colour: ', el('span', { class: `risk-${r.colour}`, id: 'risk-colour' }, r.colour)),
      el('p', {}, `未关闭标记 Open flags: ${r.openFlags}，其中高风险 of them high: ${r.openHigh}`));
    const counted = new Set(r.flagIds || []);
    document.getElementById('risk-flags').replaceChildren(...(flags || []).filter((f) => counted.has(f.id)).map((f) =>
      el('tr', {},
        el('td', {}, f.kind.replace('FLAG_KIND_', '')),
        el('td', { class: f.severity === 'SEVERITY_HIGH' ? 'bad' : '' }, SEVERITY[f.severity] || f.severity),
        el('td', { class: 'mono' }, f.manifest),
        el('td', {}, f.detail),
        el('td', {}, f.state.replace('FLAG_STATE_', '')))));
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
  const fields = document.getElementById('revise-field');
  for (const [path, [label]] of Object.entries(REVISABLE)) fields.append(el('option', { value: path }, label));
  for (const id of ['revise-number', 'revise-field', 'revise-line']) {
    document.getElementById(id).addEventListener('change', () => guarded(null, showOld));
  }
  document.getElementById('propose').addEventListener('click', (ev) => propose(ev.target));
  setUpPlan(signedIn);
  setUpConsultations(signedIn);
  setUpStock(signedIn);
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
  knowWho(who);
  if (!who) return;
  document.getElementById('generator').value = who.enterprise || '';
  await guarded(null, inbox);
  await guarded(null, () => loadConsultations(who.enterprise));
}

main();
