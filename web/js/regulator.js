import {
  el, get, guarded, newKey, post, requireSignIn, showDone, tonnes,
} from './cradle.js';
import { entryHashHolds, inclusionHolds, treeHeadHolds } from './proof.js';
import { loadCities } from './reference.js';
import { revisionAnswer } from './revisions.js';

let who = null;
let cities = {};
let chart = null;
const HEAD = 'cradle.head';

async function listFlags() {
  const q = new URLSearchParams({ pageSize: '200' });
  const j = who.jurisdiction || '';
  if (j.length === 4) q.set('city', j);
  if (j.length === 6) q.set('county', j);
  for (const [id, param] of [['kind', 'kind'], ['state', 'state'], ['enterprise', 'enterprise']]) {
    const v = document.getElementById(id).value.trim();
    if (v) q.set(param, v);
  }
  const { flags } = await get(`/v1/flags?${q}`);
  byCity(flags || []);
  document.getElementById('flags').replaceChildren(...(flags || []).map((f) => el('tr', { 'data-kind': f.kind },
    el('td', {}, f.kind.replace('FLAG_KIND_', '')),
    // A container's flag (held past its storage limit) has no manifest to follow.
    el('td', { class: 'mono' }, f.container ? `容器 ${f.container}`
      : el('a', { href: '#chain-title', onclick: () => { document.getElementById('chain-number').value = f.manifest; } }, f.manifest)),
    el('td', { class: 'mono' }, (f.enterprises || []).map((id) => el('a', {
      href: '#risk-title', onclick: () => guarded(null, () => risk(id)),
    }, id, ' '))),
    el('td', {}, f.container ? f.originCity : `${f.originCity} → ${f.destinationCity}`),
    el('td', {}, f.detail),
    el('td', {}, f.state.replace('FLAG_STATE_', '').toLowerCase()),
    el('td', {},
      f.state === 'FLAG_STATE_OPEN' ? el('button', { type: 'button', class: 'secondary', onclick: (ev) => note(ev.target, f, 'acknowledge') }, '确认 Acknowledge') : null,
      f.state !== 'FLAG_STATE_RESOLVED' ? el('button', { type: 'button', class: 'secondary', onclick: (ev) => note(ev.target, f, 'resolve') }, '解决 Resolve') : null))));
}

// The flags listed, counted by the city they start from (a province's
// office sees its cities side by side).
function byCity(flags) {
  const groups = new Map();
  for (const f of flags) {
    const g = groups.get(f.originCity) || { n: 0, kinds: new Set() };
    g.n += 1;
    g.kinds.add(f.kind.replace('FLAG_KIND_', ''));
    groups.set(f.originCity, g);
  }
  document.getElementById('by-city').replaceChildren(...[...groups.entries()]
    .sort((a, b) => b[1].n - a[1].n)
    .map(([c, g]) => el('tr', { 'data-city': c },
      el('td', {}, `${c} ${cities[c] || ''}`), el('td', { class: 'num' }, g.n), el('td', {}, [...g.kinds].join(', ')))));
}

async function note(button, flag, verb) {
  await guarded(button, async () => {
    const by = document.getElementById('by').value.trim();
    const text = prompt(verb === 'acknowledge' ? '确认说明 Note' : '处理结果 How it was resolved');
    if (text === null) return;
    await post(`/v1/flags/${encodeURIComponent(flag.id)}:${verb}`, {
      meta: { idempotencyKey: newKey('flag') }, note: text, by,
    });
    showDone(`${flag.kind.replace('FLAG_KIND_', '')} ${flag.manifest || flag.container}: ${verb === 'acknowledge' ? '已确认 acknowledged' : '已解决 resolved'}`);
    await listFlags();
  });
}

// This office's voice in corrections.
const voice = () => `regulator:${who.jurisdiction}`;

const CORRECTIONS = {
  TASK_ANSWER_REVISION: '待审批更正 Revision to answer',
  TASK_CONFIRM_RETURN: '待确认退回 Fixed return to confirm',
};

// The corrections waiting on this office (its inbox, flags aside: they
// are listed above).
async function corrections() {
  const { items } = await get('/v1/inbox?pageSize=200');
  document.getElementById('corrections').replaceChildren(...(items || []).filter((i) => i.task in CORRECTIONS).map((i) =>
    el('tr', { 'data-task': i.task, 'data-number': i.number, 'data-revision': i.revision || undefined },
      el('td', {}, CORRECTIONS[i.task]),
      el('td', { class: 'mono' }, i.number),
      el('td', {}, i.revision ? el('span', { class: 'mono' }, `${i.revision} `) : '', i.detail),
      el('td', { class: i.overdue ? 'bad' : '' }, i.dueAt ? `${i.overdue ? '逾期 overdue ' : ''}${i.dueAt.slice(0, 16).replace('T', ' ')} UTC` : '—'),
      el('td', {}, ...(i.task === 'TASK_ANSWER_REVISION' ? revisionAnswer(i, voice(), corrections) : confirmReturn(i))))));
}

function confirmReturn(item) {
  const note = el('input', { 'aria-label': `确认意见 Note on ${item.number}`, maxlength: 500, class: 'note' });
  return [note, el('button', {
    type: 'button',
    onclick: (ev) => guarded(ev.target, async () => {
      await post(`/v1/manifests/${item.number}:confirmReturn`, {
        meta: { idempotencyKey: newKey('confirm') }, by: voice(), note: note.value.trim(),
      });
      showDone(`退回已确认 Return confirmed: ${item.number}`);
      await corrections();
    }),
  }, '确认 Confirm')];
}

// Returns (退回) a manifest to its generator, with what to fix.
async function returnManifest() {
  const number = document.getElementById('return-number').value.trim();
  if (!/^\d{14}$/.test(number)) throw new Error(`number: "${number}" 不是联单号 is not a manifest number (14 digits)`);
  await post(`/v1/manifests/${number}:return`, {
    meta: { idempotencyKey: newKey('return') }, by: voice(), note: document.getElementById('return-note').value.trim(),
  });
  showDone(`已退回 Returned: ${number}`);
  await corrections();
}

// What the holder of each stage may do, as buttons (docs/CONSULTATION.md):
// the step and whether it needs a text (a notice, reasons).
const stepsOfStage = {
  CONSULTATION_STAGE_APPLIED: [
    ['CONSULTATION_ACTION_ACCEPT', '受理 Accept', false],
    ['CONSULTATION_ACTION_NOTIFY_MISSING', '一次性告知补正 Notify what is missing', true],
    ['CONSULTATION_ACTION_REFUSE', '不予批准 Refuse', true]],
  CONSULTATION_STAGE_REVIEW: [
    ['CONSULTATION_ACTION_SEND_LETTER', '发送商请函 Send the letter', false],
    ['CONSULTATION_ACTION_APPROVE', '按白名单批准 Approve on the white list', false],
    ['CONSULTATION_ACTION_REFUSE', '不予批准 Refuse', true]],
  CONSULTATION_STAGE_CONSULTING: [
    ['CONSULTATION_ACTION_AGREE', '同意接收 Agree', false],
    ['CONSULTATION_ACTION_DISAGREE', '不同意 Disagree', true]],
  CONSULTATION_STAGE_DECISION: [
    ['CONSULTATION_ACTION_APPROVE', '批准 Approve', false],
    ['CONSULTATION_ACTION_REFUSE', '不予批准 Refuse', true]],
};

// The consultations of this office's province, those it holds first.
async function consultations() {
  const province = (who.jurisdiction || '').slice(0, 2);
  if (province.length !== 2) return;
  const q = new URLSearchParams({ province, pageSize: '200' });
  if (document.getElementById('consult-mine').checked) q.set('holder', voice());
  if (document.getElementById('consult-overdue').checked) q.set('overdueOnly', 'true');
  const { consultations: list } = await get(`/v1/consultations?${q}`);
  document.getElementById('consultations').replaceChildren(...(list || []).map((c) => {
    const a = c.application;
    const d = c.deadline || {};
    const mine = c.holder === voice();
    const text = el('input', { 'aria-label': `意见或理由 Text for ${c.number}`, maxlength: 2000, class: 'note' });
    const steps = mine ? (stepsOfStage[c.stage] || []) : [];
    return el('tr', { 'data-number': c.number, 'data-stage': c.stage },
      el('td', { class: 'mono' }, c.number),
      el('td', {}, c.stage.replace('CONSULTATION_STAGE_', ''), c.holder ? el('div', { class: 'en' }, `待 ${c.holder}`) : ''),
      el('td', {}, `${a.generator} → ${a.receiver}`, el('div', {}, `${(a.codes || []).join(', ')} ${Number(a.quantityKg) / 1000} t, ${a.validFrom}..${a.validUntil}`)),
      el('td', { class: d.overdue ? 'bad' : '' }, d.due ? `${d.overdue ? '逾期 overdue ' : ''}${d.due}` : (d.undated ? '日期未定 undated' : '—')),
      el('td', {}, ...(steps.length ? [text] : []), ...steps.map(([action, label, needsText]) => el('button', {
        type: 'button',
        class: action === 'CONSULTATION_ACTION_REFUSE' || action === 'CONSULTATION_ACTION_DISAGREE' ? 'secondary' : '',
        onclick: (ev) => guarded(ev.target, async () => {
          const note = text.value.trim();
          if (needsText && !note) throw new Error(`text: ${label} 需要填写意见或理由 needs the notice or the reasons`);
          const r = await post(`/v1/consultations/${c.number}:act`, {
            meta: { idempotencyKey: newKey('consult') }, number: c.number, action, text: note,
          });
          showDone(`${c.number}: ${r.consultation.stage.replace('CONSULTATION_STAGE_', '')}`);
          await consultations();
        }),
      }, label))));
  }));
}

// An enterprise's risk colour (docs/FLAGS.md), added to the table once.
async function risk(id) {
  const { risk: r } = await get(`/v1/enterprises/${encodeURIComponent(id)}/risk`);
  const body = document.getElementById('risks');
  const row = el('tr', { 'data-enterprise': r.id },
    el('td', { class: 'mono' }, r.id),
    el('td', { class: `risk-${r.colour}` }, r.colour),
    el('td', { class: 'num' }, r.openFlags),
    el('td', { class: 'num' }, r.openHigh));
  const old = body.querySelector(`tr[data-enterprise="${r.id}"]`);
  if (old) old.replaceWith(row);
  else body.append(row);
}

function months() {
  const from = document.getElementById('from-month').value;
  const to = document.getElementById('to-month').value;
  const q = new URLSearchParams();
  if (from) q.set('fromMonth', from);
  if (to) q.set('toMonth', to);
  return q;
}

async function flows() {
  const j = who.jurisdiction;
  const r = await get(`/v1/jurisdictions/${j}/flows?${months()}`);
  const inside = Number(r.insideGrams);
  const outside = Number(r.outsideGrams);
  const rate = inside + outside > 0 ? (100 * inside) / (inside + outside) : 0;
  document.getElementById('in-city').textContent =
    `辖区内处置率（不出市） Treated inside the jurisdiction: ${rate.toFixed(1)}% (${tonnes(inside)} / ${tonnes(inside + outside)})`;
  const rows = r.flows || [];
  const most = Math.max(1, ...rows.map((f) => Number(f.grams)));
  const city = (code) => `${code} ${cities[code] || ''}`.trim();
  drawFlows(rows, city);
  document.getElementById('flows').replaceChildren(...rows.map((f) => el('tr', {},
    el('td', {}, f.month), el('td', {}, city(f.originCity)), el('td', {}, city(f.destinationCity)), el('td', {}, f.category),
    el('td', { class: 'num' }, (Number(f.grams) / 1e6).toFixed(3)),
    el('td', {}, bar(Number(f.grams) / most)))));
}

// The flows as a schematic (no boundaries): each city a node sized by the
// waste treated inside it, each flow between two cities an arrow as wide as
// its tonnes (Apache ECharts, web/vendor/echarts).
function drawFlows(rows, city) {
  if (!window.echarts) return;
  const inside = {};
  const between = {};
  for (const f of rows) {
    const t = Number(f.grams) / 1e6;
    for (const c of [f.originCity, f.destinationCity]) inside[c] = inside[c] || 0;
    if (f.originCity === f.destinationCity) inside[f.originCity] += t;
    else {
      const key = `${f.originCity}>${f.destinationCity}`;
      between[key] = (between[key] || 0) + t;
    }
  }
  const most = Math.max(0.001, ...Object.values(between));
  const box = document.getElementById('flow-map');
  if (!chart) chart = window.echarts.init(box, null, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    tooltip: {},
    series: [{
      type: 'graph',
      layout: 'circular',
      circular: { rotateLabel: false },
      roam: true,
      label: { show: true, position: 'right', color: '#1a1a1a', formatter: (p) => `${p.data.label}\n${p.data.value.toFixed(3)} t` },
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 10,
      lineStyle: { color: '#0b4f6c', curveness: 0.2, opacity: 0.8 },
      itemStyle: { color: '#e8a317', borderColor: '#0b4f6c' },
      data: Object.entries(inside).map(([c, t]) => ({ name: c, label: city(c), value: t, symbolSize: 18 + 30 * Math.sqrt(t / Math.max(0.001, ...Object.values(inside))) })),
      links: Object.entries(between).map(([k, t]) => {
        const [source, target] = k.split('>');
        return { source, target, value: t, lineStyle: { width: 1 + 9 * (t / most) } };
      }),
    }],
  }, true);
}

function bar(fraction) {
  const b = el('span', { class: 'bar', 'aria-hidden': 'true' });
  b.style.width = `${Math.max(2, Math.round(fraction * 160))}px`;
  return b;
}

async function exportCsv() {
  const res = await fetch(`/v1/jurisdictions/${who.jurisdiction}/export`, {
    headers: { Authorization: `Bearer ${localStorage.getItem('cradle.token')}` },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(JSON.parse(text).error.message);
  let csv = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const chunk = JSON.parse(line);
    if (chunk.error) throw new Error(chunk.error.message);
    csv += chunk.csv;
  }
  const a = el('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: `cradle-${who.jurisdiction}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  showDone(`已导出 Exported ${csv.split('\n').length - 1} lines`);
}

function savedHead() {
  return JSON.parse(localStorage.getItem(HEAD) || 'null');
}

function showSavedHead() {
  const h = savedHead();
  document.getElementById('saved-head').textContent = h
    ? `树头 Head: ${h.treeSize} entries, root ${h.rootHash.slice(0, 16)}…, ${h.timestamp}, key ${h.publicKey.slice(0, 16)}…`
    : '尚未保存 None saved yet';
}

async function saveHead() {
  const { treeHead } = await get('/v1/ledger/treeHead');
  const pinned = savedHead();
  // The key is pinned on first use: a later head signed by another key is
  // refused, whatever the server says.
  const key = pinned ? pinned.publicKey : treeHead.publicKey;
  if (!(await treeHeadHolds(treeHead, key))) {
    throw new Error('树头签名无效 The tree head is not signed by the key saved with the first head');
  }
  localStorage.setItem(HEAD, JSON.stringify({ ...treeHead, publicKey: key }));
  showSavedHead();
  showDone(`已保存树头 Saved the head of ${treeHead.treeSize} entries`);
}

const SIGNATURE = {
  SIGNATURE_VALID: ['有效 valid', 'ok'],
  SIGNATURE_VALID_FIRST_FORMAT: ['有效（旧格式）valid, first format', 'ok'],
  SIGNATURE_UNSIGNED: ['未签名 unsigned', ''],
  SIGNATURE_INVALID: ['无效 INVALID', 'bad'],
  SIGNATURE_UNKNOWN_KEY: ['无公钥 no key on record', 'bad'],
};

async function verify() {
  const head = savedHead();
  if (!head) throw new Error('请先保存树头 Save a signed head first');
  const number = document.getElementById('chain-number').value.trim();
  const [{ entries }, proof] = await Promise.all([
    get(`/v1/chains/${encodeURIComponent(number)}`),
    get(`/v1/chains/${encodeURIComponent(number)}/proof?treeSize=${head.treeSize}`),
  ]);
  const proofs = new Map((proof.proofs || []).map((p) => [p.entry.sequence, p]));
  let good = 0;
  const rows = [];
  for (const e of entries || []) {
    const p = proofs.get(e.sequence);
    let check;
    if (!p) {
      check = el('span', {}, '晚于树头 after the saved head');
    } else {
      const hashOk = await entryHashHolds(p.entry);
      const inOk = hashOk && p.entry.hash === e.hash &&
        await inclusionHolds(BigInt(p.entry.sequence) - 1n, head.treeSize, p.entry.hash, p.path || [], head.rootHash);
      if (inOk) good += 1;
      check = el('span', { class: inOk ? 'ok' : 'bad' }, inOk ? '✓ 已核验 verified' : '✗ 不符 does not verify');
    }
    const [sigText, sigClass] = SIGNATURE[e.signer && e.signer.signature] || ['—', ''];
    rows.push(el('tr', {},
      el('td', { class: 'num' }, e.sequence), el('td', {}, e.type),
      el('td', { class: 'mono' }, e.signer ? `${e.signer.enterprise} ${e.signer.holder || ''}` : e.actor),
      el('td', { class: sigClass }, sigText),
      el('td', {}, e.recorded), el('td', { class: 'mono' }, `${e.hash.slice(0, 16)}…`), el('td', {}, check)));
  }
  document.getElementById('chain').replaceChildren(...rows);
  const covered = (entries || []).filter((e) => proofs.has(e.sequence)).length;
  const verdict = document.getElementById('verdict');
  const ok = covered > 0 && good === covered;
  verdict.className = ok ? 'ok' : 'bad';
  verdict.textContent = ok
    ? `✓ ${good} 条记录均在已保存树头内 All ${good} entries are in the saved head (${head.treeSize} entries)`
    : `✗ ${covered - good} / ${covered} 条记录未通过核验 entries do not verify against the saved head`;
}

async function main() {
  const riskOfField = () => risk(document.getElementById('risk-enterprise').value.trim());
  for (const id of ['list-flags', 'list-consultations', 'list-flows', 'export', 'save-head', 'verify', 'risk', 'return']) {
    const work = {
      'list-flags': listFlags,
      'list-consultations': consultations,
      'list-flows': flows,
      export: exportCsv,
      'save-head': saveHead,
      verify,
      risk: riskOfField,
      return: returnManifest,
    }[id];
    document.getElementById(id).addEventListener('click', (ev) => guarded(ev.target, work));
  }
  showSavedHead();
  cities = await loadCities().catch(() => ({}));
  // This year so far, by default.
  const now = new Date();
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  document.getElementById('from-month').value = `${now.getFullYear()}-01`;
  document.getElementById('to-month').value = month;
  const doc = await get('/v1/openapi.json').catch(() => null);
  const kinds = doc ? doc.components.schemas['cradle.v1.Flag'].properties.kind.enum : [];
  const select = document.getElementById('kind');
  for (const k of kinds.slice(1)) select.append(el('option', { value: k }, k.replace('FLAG_KIND_', '')));
  who = await requireSignIn();
  if (!who) return;
  document.getElementById('by').value = localStorage.getItem('cradle.office') || `${who.jurisdiction} 监管`;
  await guarded(null, listFlags);
  await guarded(null, corrections);
  await guarded(null, consultations);
  await guarded(null, flows);
}

main();
