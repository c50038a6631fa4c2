// The driver's queue of attested writes made while the network was away,
// uploaded in order as soon as it is back: the same idempotent upload as
// cradlectl's offline queue (docs/CONTAINERS.md). Each write keeps the
// idempotency key and the device time it was made with, so a write sent
// twice is recorded once and the ledger keeps when it happened. It is
// signed when it is sent, with the same key on this device.

import { ApiError, signedPost } from './cradle.js';

const KEY = 'cradle.queue';

export function pending() {
  return JSON.parse(localStorage.getItem(KEY) || '[]');
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

export function enqueue(label, path, body) {
  const items = pending();
  items.push({ label, path, body, queuedAt: new Date().toISOString() });
  save(items);
}

export function discard(index) {
  const items = pending();
  items.splice(index, 1);
  save(items);
}

// A network failure (no answer at all), as opposed to a refusal.
export function isOffline(error) {
  return !(error instanceof ApiError);
}

// Sends what waits, oldest first, until the network fails again. A write
// the server refuses stays, marked with the refusal, for the driver to
// read and discard. Returns how many were sent.
export async function upload() {
  let sent = 0;
  for (;;) {
    const items = pending();
    const next = items.findIndex((i) => !i.refused);
    if (next < 0) return sent;
    try {
      await signedPost(items[next].path, items[next].body);
      items.splice(next, 1);
      sent += 1;
    } catch (e) {
      if (isOffline(e)) return sent;
      items[next].refused = e.message;
    }
    save(items);
  }
}
