// What every page shares: the session (the Cradle token), calls to the
// HTTP/JSON gateway (docs/WEB.md), the party's signing key kept on this
// device, and small helpers to build the page.

const TOKEN = 'cradle.token';

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.httpStatus = status;
    this.status = error.status || '';
  }
}

export function token() {
  return localStorage.getItem(TOKEN) || '';
}

export function setToken(value) {
  if (value) {
    localStorage.setItem(TOKEN, value.trim());
  } else {
    localStorage.removeItem(TOKEN);
  }
}

// Read-your-writes on a cluster (docs/CLUSTER.md): every answer of a
// cluster node names the ledger position it answered at (cradle-sequence);
// this tab sends back the furthest it has seen (cradle-min-sequence), so
// that a manifest it just opened is found whichever node answers next. A
// single server names none, and none is sent.
const POSITION = 'cradle.position';

function keepPosition(res) {
  const at = Number(res.headers.get('cradle-sequence') || 0);
  if (at > Number(sessionStorage.getItem(POSITION) || 0)) sessionStorage.setItem(POSITION, String(at));
}

// One call: `body` (an object) as JSON for a POST; the answer's JSON, or
// an ApiError carrying the server's message (which names the field).
export async function call(verb, path, body) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const position = sessionStorage.getItem(POSITION);
  if (position) headers['cradle-min-sequence'] = position;
  const init = { method: verb, headers };
  if (verb === 'POST') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body || {});
  }
  const res = await fetch(path, init);
  keepPosition(res);
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : {};
  } catch (e) {
    throw new ApiError(res.status, { error: { message: text } });
  }
  if (!res.ok) {
    // A position no node reaches (the server's data was reset): forget it
    // rather than wait on it at every call.
    if (res.status === 503 && /not yet/.test(json?.error?.message || '')) sessionStorage.removeItem(POSITION);
    throw new ApiError(res.status, json);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

// A fresh idempotency key: a retry of the same write reuses it.
export function newKey(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}

// --- The signing key, kept on this device --------------------------------
//
// An Ed25519 key pair made by WebCrypto with a non-extractable private
// half, stored in IndexedDB: the page can sign with it, nothing can read
// it out. Its public half is what the administrator registers with the
// party's credential (cradlectl credential issue --public-key HEX).

function openStore() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('cradle', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('keys');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function storeOp(mode, op) {
  const db = await openStore();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('keys', mode);
    const req = op(tx.objectStore('keys'));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
  });
}

export async function signingKey() {
  return storeOp('readonly', (s) => s.get('device'));
}

export async function makeSigningKey() {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ]);
  await storeOp('readwrite', (s) => s.put(pair, 'device'));
  return pair;
}

export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function toBase64(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

export async function publicKeyHex(pair) {
  return hex(await crypto.subtle.exportKey('raw', pair.publicKey));
}

// An attested write: asks the gateway for the bytes the request is signed
// over, signs them with this device's key, and sends the request with the
// signature.
export async function signedPost(path, body) {
  const pair = await signingKey();
  if (!pair) {
    throw new ApiError(400, {
      error: { message: '本设备没有签名密钥 / this device has no signing key: make one on the start page' },
    });
  }
  const { bytes } = await post(`${path}:signingBytes`, body);
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, fromBase64(bytes));
  const signed = structuredClone(body);
  signed.meta = { ...(signed.meta || {}), signature: toBase64(signature) };
  return post(path, signed);
}

// This device's name, made once and kept: scans and weighings record the
// device that made them (meta.device).
export function deviceName() {
  let name = localStorage.getItem('cradle.device');
  if (!name) {
    name = `web-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem('cradle.device', name);
  }
  return name;
}

// --- Who is signed in --------------------------------------------------------

export async function whoAmI() {
  const { credential } = await get('/v1/whoami');
  return credential;
}

// --- Building pages ----------------------------------------------------------

// el('td', {class: 'num'}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// Shows `error` (an ApiError or any Error) in the page's status line.
export function showError(error) {
  const box = document.getElementById('status');
  box.className = 'status error';
  box.setAttribute('role', 'alert');
  box.textContent = error.message || String(error);
}

export function showDone(text) {
  const box = document.getElementById('status');
  box.className = 'status done';
  box.setAttribute('role', 'status');
  box.textContent = text;
}

// Runs `work`, showing its error if it fails; the button stays disabled
// while it runs.
export async function guarded(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// Grams as the legal form writes them.
export function tonnes(grams) {
  const g = Number(grams || 0);
  if (g >= 1e6) return `${(g / 1e6).toFixed(3)} t`;
  return `${(g / 1e3).toFixed(1)} kg`;
}

// "1.2t", "850kg", "300 g" -> grams; NaN when it is none of them.
export function parseGrams(text) {
  const m = String(text).trim().match(/^(\d+(?:\.\d+)?)\s*(t|kg|g)?$/i);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = (m[2] || 'kg').toLowerCase();
  return Math.round(n * (unit === 't' ? 1e6 : unit === 'kg' ? 1e3 : 1));
}

export const STATUS = {
  MANIFEST_STATUS_DRAFT: '草稿 Draft',
  MANIFEST_STATUS_ISSUED: '已开具 Issued',
  MANIFEST_STATUS_IN_TRANSIT: '运输中 In transit',
  MANIFEST_STATUS_DELIVERED: '已送达 Delivered',
  MANIFEST_STATUS_ACCEPTED: '已接收 Accepted',
  MANIFEST_STATUS_PARTIALLY_ACCEPTED: '部分接收 Partly accepted',
  MANIFEST_STATUS_REJECTED: '已拒收 Rejected',
  MANIFEST_STATUS_DISPOSED: '已处置 Disposed',
  MANIFEST_STATUS_CLOSED: '已办结 Closed',
  MANIFEST_STATUS_CANCELLED: '已取消 Cancelled',
  MANIFEST_STATUS_VOIDED: '已作废 Voided',
};

// Sends the page to the start page when no one is signed in; the
// credential otherwise.
export async function requireSignIn() {
  if (!token()) {
    location.href = `/index.html?next=${encodeURIComponent(location.pathname)}`;
    return null;
  }
  try {
    const who = await whoAmI();
    const badge = document.getElementById('who');
    if (badge) badge.textContent = who.enterprise || who.jurisdiction || who.kind;
    return who;
  } catch (e) {
    showError(e);
    return null;
  }
}
