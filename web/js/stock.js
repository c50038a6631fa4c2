// The stock ledger on the clerk's page (docs/STOCK.md): booking a registered
// container into a storage facility, and the balance per waste code and
// facility with what the ledger and the manifests do not agree on, what is
// held past the storage limit and, for a collector, where what it collected
// went (docs/COLLECTION.md).

import { el, get, guarded, newKey, post, showDone, tonnes } from './cradle.js';

const UNSTORED = '（未入库）(not booked into storage)';

function showBalances(balances) {
  document.getElementById('stock-balances').replaceChildren(...balances.map((b) => el('tr',
    { 'data-code': b.wasteCode, 'data-facility': b.facility || '' },
    el('td', { class: 'mono' }, b.wasteCode),
    el('td', { class: b.facility ? '' : 'bad' }, b.facility || UNSTORED),
    el('td', { class: 'num' }, String(b.containers || 0)),
    el('td', { class: 'num' }, tonnes(b.generatedG)),
    el('td', { class: 'num' }, tonnes(b.ownUseG)),
    el('td', { class: 'num' }, tonnes(b.shippedG)),
    el('td', { class: 'num' }, `${tonnes(b.stockG)} (${b.inStock || 0})`),
    el('td', { class: 'mono' }, b.oldest || '—'))));
}

// What a regulator would ask about first: differences and overdue stock.
function showProblems(differences, overdue) {
  const items = [
    ...differences.map((d) => el('li', { class: 'bad' },
      `${d.manifest ? `联单 ${d.manifest}: ` : ''}${d.detail}`)),
    ...overdue.map((o) => el('li', { class: 'bad', 'data-overdue': o.code },
      `超期贮存 held past the one-year limit: ${o.code} in ${o.facility} since ${o.storedOn} (${o.days} days)`)),
  ];
  const list = document.getElementById('stock-problems');
  list.replaceChildren(...items);
  list.classList.toggle('hidden', items.length === 0);
}

function showCollection(collection) {
  document.getElementById('collection').classList.toggle('hidden', collection.length === 0);
  document.getElementById('collection-balances').replaceChildren(...collection.map((c) => el('tr',
    { 'data-code': c.wasteCode },
    el('td', { class: 'mono' }, c.wasteCode),
    el('td', { class: 'num' }, String(c.manifests || 0)),
    el('td', { class: 'num' }, tonnes(c.collectedG)),
    el('td', { class: 'num' }, tonnes(c.heldG)),
    el('td', { class: 'num' }, tonnes(c.refilledG)),
    el('td', { class: 'num' }, tonnes(c.lostG)),
    el('td', { class: `num${Number(c.shortfallG || 0) > 0 ? ' bad' : ''}` }, tonnes(c.shortfallG)),
    el('td', { class: 'num' }, tonnes(c.shippedG)))));
}

// Reads and shows `generator`'s stock ledger.
export async function loadStock(generator) {
  const stock = await get(`/v1/stock?generator=${encodeURIComponent(generator)}`);
  document.getElementById('stock-as-of').textContent = `截至 As of ${stock.asOf}`;
  showBalances(stock.balances || []);
  showProblems(stock.differences || [], stock.overdue || []);
  showCollection(stock.collection || []);
}

// Books container `code` into the facility the form names (入库).
export async function storeContainer(button, code, signedIn) {
  await guarded(button, async () => {
    const generator = await signedIn();
    const facility = document.getElementById('stock-facility').value.trim();
    const { container } = await post('/v1/stock', {
      meta: { idempotencyKey: newKey('page-stock') },
      record: { code, move: 'STOCK_MOVE_STORED', facility },
    });
    showDone(`已入库 Stored: ${container.code} in ${container.facility}`);
    await loadStock(generator);
  });
}

// `signedIn()` answers the signed-in enterprise once the page has read it.
export function setUpStock(signedIn) {
  document.getElementById('stock-refresh').addEventListener('click',
    (ev) => guarded(ev.target, async () => loadStock(await signedIn())));
}
