// The generator's cross-province applications on the clerk's page
// (docs/CONSULTATION.md): apply, and see where each stands, who holds it
// and until when. The bureaus act on /regulator.html.

import { el, get, guarded, newKey, post, showDone } from './cradle.js';

const value = (id) => document.getElementById(id).value.trim();

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
      el('td', {}, c.approval ? `批准 ${c.approval.validFrom}..${c.approval.validUntil}` : ''));
  }));
}

async function apply(ev, generator) {
  ev.preventDefault();
  await guarded(document.getElementById('apply'), async () => {
    const tonnesAsked = Number(value('consult-tonnes'));
    if (!(tonnesAsked > 0)) throw new Error(`application.quantity_kg: "${value('consult-tonnes')}" 不是吨数 is not a number of tonnes`);
    const { consultation } = await post('/v1/consultations', {
      meta: { idempotencyKey: newKey('page-consult') },
      application: {
        generator,
        receiver: value('consult-receiver'),
        codes: value('consult-codes').split(/[\s,]+/).filter(Boolean),
        method: value('consult-method'),
        quantityKg: String(Math.round(tonnesAsked * 1000)),
        validFrom: value('consult-from'),
        validUntil: value('consult-until'),
        note: value('consult-note'),
      },
    });
    showDone(`已申请 Applied: ${consultation.number}, ${consultation.deadline?.due ? `受理期限 to be accepted by ${consultation.deadline.due}` : ''}`);
    await loadConsultations(generator);
  });
}

export function setUpConsultations(generator) {
  document.getElementById('consult-form').addEventListener('submit', (ev) => apply(ev, generator));
}
