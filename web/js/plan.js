// The generator's management plan on the clerk's page (docs/PLANS.md):
// this year's plan with what each planned transfer has shipped, and the
// form that files it, or files it again to revise it.

import {
  ApiError, el, get, guarded, newKey, parseGrams, post, showDone, tonnes,
} from './cradle.js';

const TIER = {
  GENERATOR_TIER_KEY: '重点监管 Key-supervised',
  GENERATOR_TIER_SIMPLIFIED: '简化管理 Simplified',
  GENERATOR_TIER_REGISTRATION: '登记管理 Registration',
};

// This year in China time.
function thisYear() {
  return new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
}

// "12t" as grams, or 0 for "0" or nothing; throws naming `field`.
function grams(field, text) {
  if (text === undefined || text === '' || text === '0') return 0;
  const g = parseGrams(text);
  if (!(g > 0)) throw new Error(`${field}: "${text}" 不是数量 is not a quantity such as 12t or 800kg`);
  return g;
}

// The rows of a textarea, each split into words.
const rows = (id) => document.getElementById(id).value.split('\n')
  .map((r) => r.trim()).filter(Boolean).map((r) => r.split(/\s+/));

// The form as a ManagementPlan; throws naming the field it cannot read.
function planFromForm(generator) {
  const lines = rows('plan-lines').map(([code, expected, own, stock], i) => ({
    code,
    expectedG: String(grams(`plan.lines[${i}].expected_g`, expected)),
    ownUseG: String(grams(`plan.lines[${i}].own_use_g`, own)),
    stockG: String(grams(`plan.lines[${i}].stock_g`, stock)),
    transfers: [],
  }));
  rows('plan-transfers').forEach(([code, receiver, quantity, method], t) => {
    const line = lines.find((l) => l.code === code);
    if (!line) throw new Error(`transfers[${t}]: ${code} 不在废物行中 has no line of its code above`);
    line.transfers.push({
      receiver: receiver || '',
      quantityG: String(grams(`transfers[${t}].quantity`, quantity)),
      method: method || '',
    });
  });
  return {
    generator,
    year: Number(document.getElementById('plan-year').value),
    tier: document.getElementById('plan-tier').value,
    lines,
  };
}

function showPlan(plan, progress) {
  const box = document.getElementById('plan');
  const body = document.getElementById('plan-progress');
  if (!plan) {
    box.textContent = `${thisYear()} 年度尚未备案 No plan filed for ${thisYear()}`;
    body.replaceChildren();
    return;
  }
  box.replaceChildren('备案编号 Filing no. ', el('strong', { id: 'plan-number', class: 'mono' }, plan.number),
    ` · 第 ${plan.version} 版 version ${plan.version} · ${TIER[plan.tier] || plan.tier} · ${plan.year}`);
  body.replaceChildren(...(progress || []).map((p) => {
    const planned = Number(p.plannedG || 0);
    const shipped = Number(p.shippedG || 0);
    const off = planned === 0 || shipped > planned;
    return el('tr', { 'data-code': p.code, 'data-receiver': p.receiver },
      el('td', { class: 'mono' }, p.code),
      el('td', { class: 'mono' }, p.receiver),
      el('td', { class: 'num' }, planned ? tonnes(planned) : '未计划 not planned'),
      el('td', { class: `num${off ? ' bad' : ''}` }, tonnes(shipped)),
      el('td', { class: 'num' }, planned ? `${Math.round((shipped * 100) / planned)}%` : '—'));
  }));
}

// Reads this year's plan of `generator`; none filed is not an error.
export async function loadPlan(generator) {
  try {
    const { plan, progress } = await get(
      `/v1/plans?generator=${encodeURIComponent(generator)}&year=${thisYear()}`);
    showPlan(plan, progress);
  } catch (e) {
    if (!(e instanceof ApiError && e.httpStatus === 404)) throw e;
    showPlan(null);
  }
}

async function filePlan(ev, signedIn) {
  ev.preventDefault();
  await guarded(document.getElementById('file-plan'), async () => {
    const generator = await signedIn();
    const { plan } = await post('/v1/plans', {
      meta: { idempotencyKey: newKey('page-plan') },
      plan: planFromForm(generator),
    });
    showDone(`计划已备案 Plan filed: ${plan.number} (version ${plan.version})`);
    await loadPlan(generator);
  });
}

// `signedIn()` answers the signed-in enterprise once the page has read it:
// the form is live before, so that an early submit waits for it rather than
// falling through to the browser's own.
export function setUpPlan(signedIn) {
  document.getElementById('plan-year').value = thisYear();
  document.getElementById('plan-form').addEventListener('submit', (ev) => filePlan(ev, signedIn));
}
