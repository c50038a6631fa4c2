// The ledger's proofs, checked in the browser (docs/ledger_format.md):
// an entry's hash recomputed from the bytes the server shows, its
// inclusion in the Merkle tree of a signed tree head the regulator saved
// earlier (RFC 6962 / RFC 9162 2.1.3.2), and the head's Ed25519 signature.
// Nothing here trusts the server beyond the bytes it sends.

import { fromBase64, fromHex, hex } from './cradle.js';

const enc = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function u64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function u32(value) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

const field = (bytes) => concat(u32(bytes.length), bytes);

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// RFC 3339 with up to nine fractional digits, as the JSON mapping writes a
// Timestamp, to microseconds since the epoch.
export function micros(rfc3339) {
  const m = String(rfc3339).match(/^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/);
  if (!m) throw new Error(`time: "${rfc3339}" is not RFC 3339`);
  const seconds = BigInt(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const fraction = BigInt((m[2] || '').padEnd(6, '0').slice(0, 6));
  return seconds * 1000000n + fraction;
}

// The entry's canonical bytes (the table of docs/ledger_format.md).
export function canonical(entry) {
  return concat(
    enc.encode('CRDL1'), u64(entry.sequence), field(enc.encode(entry.stream)),
    u64(entry.streamVersion), field(enc.encode(entry.type)), field(enc.encode(entry.actor)),
    u64(micros(entry.recorded)), field(fromBase64(entry.payload || '')));
}

// True when the entry's hash is SHA-256(previous hash || canonical bytes).
export async function entryHashHolds(entry) {
  const computed = await sha256(concat(fromHex(entry.prevHash), canonical(entry)));
  return hex(computed) === entry.hash;
}

// True when `path` proves leaf `index` (0-based) with entry hash
// `entryHash` into the tree of `size` leaves whose root is `rootHex`.
export async function inclusionHolds(index, size, entryHash, path, rootHex) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) return false;
  let r = await sha256(concat(new Uint8Array([0]), fromHex(entryHash)));
  for (const p of path) {
    if (sn === 0n) return false;
    const node = fromHex(p);
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(concat(new Uint8Array([1]), node, r));
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await sha256(concat(new Uint8Array([1]), r, node));
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, fromHex(rootHex));
}

// True when the tree head is signed by `publicKeyHex`.
export async function treeHeadHolds(head, publicKeyHex) {
  const message = concat(enc.encode('CRADLE-STH-V1'), u64(head.treeSize), u64(micros(head.timestamp)), fromHex(head.rootHash));
  const key = await crypto.subtle.importKey('raw', fromHex(publicKeyHex), { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(head.signature), message);
}
