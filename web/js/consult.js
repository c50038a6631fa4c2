// The generator's cross-province applications on the clerk's page
// (docs/CONSULTATION.md): apply, see where each stands, who holds it and
// until when, complete one the bureau found incomplete, withdraw one
// before its decision. The bureaus act on /regulator.html.

import { el, get, guarded, newKey, post, showDone } from './cradle.js';

const value = (id) => document.getElementById(id).value.trim();
const finished = new Set(['CONSULTATION_STAGE_APPROVED', 'CONSULTATION_STAGE_REFUSED', 'CONSULTATION_STAGE_WITHDRAWN']);

// The application the form's submit completes, or '' when it applies.
let completing = '';

function setCompleting(number) {
  completing = number;
  document.getElementById('apply').replaceChildren(...(number
    ? ['提交补正 ', el('span', { lang: 'en' }, `Submit the completion of ${number}`)]
    : ['申请 ', el('span', { lang: 'en' }, 'Apply')]));
}

// Puts application `a` on the form, to be amended and submitted again.
function fillForm(a) {
  const set = (id, v) => { document.getElementById(id).value = v || ''; };
  set('consult-receiver', a.receiver);
  set('consult-codes', (a.codes || []).join(', '));
  set('consult-method', a.method);
  set('consult-tonnes', String(Number(a.quantityKg) / 1000));
  set('consult-from', a.validFrom);
  set('consult-until', a.validUntil);
  set('consult-note', a.note);
}

// What the applicant may do on `c`, in its row.
function actions(c, generator) {
  if (finished.has(c.stage)) return [];
  const out = [];
  if (c.stage === 'CONSULTATION_STAGE_INCOMPLETE') {
    const notice = (c.steps || []).filter((s) => s.action === 'CONSULTATION_ACTION_NOTIFY_MISSING').pop();
    if (notice) out.push(el('div', { class: 'bad' }, `补正通知 To add: ${notice.text}`));
    out.push(el('button', {
      type: 'button',
      onclick: () => {
        fillForm(c.application);
        setCompleting(c.number);
        document.getElementById('consult-receiver').focus();
      },
    }, '补正 ', el('span', { lang: 'en' }, 'Complete')));
  }
  out.push(el('button', {
    type: 'button',
    class: 'secondary',
    onclick: (ev) => guarded(ev.target, async () => {
      const r = await post(`/v1/consultations/${c.number}:act`, {
        meta: { idempotencyKey: newKey('page-consult') }, number: c.number, action: 'CONSULTATION_ACTION_WITHDRAW',
      });
      showDone(`${c.number}: ${r.consultation.stage.replace('CONSULTATION_STAGE_', '')}`);
      if (completing === c.number) setCompleting('');
      await loadConsultations(generator);
    }),
  }, '撤回 ', el('span', { lang: 'en' }, 'Withdraw')));
  return out;
}

// This enterprise's applications, by number.
export async function loadConsultations(generator) {
  const { consultations } = await get(
    `/v1/consultations?generator=${encodeURIComponent(generator)}&pageSize=200`);
  document.getElementById('consultations').replaceChildren(...(consultations || []).map((c) => {
    const a = c.application;
    const d = c.deadline || {};
    return el('tr', { 'data-number': c.number, 'data-stage': c.stage },
      el('td', { class: 'mono' }, c.number),
      el('td', {}, c.stage.replace('CONSULTATION_STAGE_', ''), c.holder ? el('div', { class: 'en' }, `待 ${c.holder}`) : ''),
      el('td', { class: 'mono' }, a.receiver),
      el('td', {}, `${(a.codes || []).join(', ')} ${Number(a.quantityKg) / 1000} t`),
      el('td', { class: d.overdue ? 'bad' : '' }, d.due ? `${d.overdue ? '逾期 overdue ' : ''}${d.due}` : '—'),
      el('td', {}, c.approval ? `批准 ${c.approval.validFrom}..${c.approval.validUntil}` : ''),
      el('td', {}, ...actions(c, generator)));
  }));
}

async function apply(signedIn) {
  await guarded(document.getElementById('apply'), async () => {
    const generator = await signedIn();
    const tonnesAsked = Number(value('consult-tonnes'));
    if (!(tonnesAsked > 0)) throw new Error(`application.quantity_kg: "${value('consult-tonnes')}" 不是吨数 is not a number of tonnes`);
    const application = {
      generator,
      receiver: value('consult-receiver'),
      codes: value('consult-codes').split(/[\s,]+/).filter(Boolean),
      method: value('consult-method'),
      quantityKg: String(Math.round(tonnesAsked * 1000)),
      validFrom: value('consult-from'),
      validUntil: value('consult-until'),
      note: value('consult-note'),
    };
    const due = (c) => (c.deadline?.due ? `受理期限 to be accepted by ${c.deadline.due}` : '');
    if (completing) {
      const { consultation } = await post(`/v1/consultations/${completing}:act`, {
        meta: { idempotencyKey: newKey('page-consult') }, number: completing, action: 'CONSULTATION_ACTION_COMPLETE', application,
      });
      setCompleting('');
      showDone(`已补正 Completed: ${consultation.number}, ${due(consultation)}`);
    } else {
      const { consultation } = await post('/v1/consultations', { meta: { idempotencyKey: newKey('page-consult') }, application });
      showDone(`已申请 Applied: ${consultation.number}, ${due(consultation)}`);
    }
    await loadConsultations(generator);
  });
}

// `signedIn()` answers the signed-in enterprise once the page has read it:
// the form is live before, so that an early submit waits for it rather than
// falling through to the browser's own.
export function setUpConsultations(signedIn) {
  document.getElementById('consult-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apply(signedIn);
  });
}
