// The seal on a printed manifest, read from its QR code and checked with
// the server's public key, offline (services/manifest_seal.h holds the
// format; it is frozen, since paper is kept for years):
//
//   QR text: "CRADLE-SEAL1:" number/version/STATUS/entry sequence/
//            entry hash (hex)/signing time (Unix µs)/signature (hex)
//   signed:  "CRADLE-SEAL-V1" number NUL, then version, status number,
//            entry sequence as 8-byte big-endian, the raw entry hash, and
//            the signing time in µs as 8-byte big-endian.

import { fromHex } from './cradle.js';
import { micros } from './proof.js';

const PREFIX = 'CRADLE-SEAL1:';

// cradle.v1.ManifestStatus, by the short name the QR code carries.
const STATUS_NUMBER = {
  DRAFT: 1, ISSUED: 2, IN_TRANSIT: 3, DELIVERED: 4, ACCEPTED: 5,
  PARTIALLY_ACCEPTED: 6, REJECTED: 7, DISPOSED: 8, CLOSED: 9, CANCELLED: 10,
  VOIDED: 11,
};

export class SealError extends Error {}

export function isSeal(text) {
  return String(text).trim().startsWith(PREFIX);
}

// The seal's parts; throws a SealError naming the part that is wrong.
export function parseSeal(text) {
  text = String(text).trim();
  if (!text.startsWith(PREFIX)) throw new SealError(`不是 Cradle 联单封印 not a Cradle manifest seal (it starts ${PREFIX})`);
  const parts = text.slice(PREFIX.length).split('/');
  if (parts.length !== 7) throw new SealError(`fields: ${parts.length} given, 7 expected`);
  const [number, version, status, sequence, hash, micros, signature] = parts;
  const bad = (part, value) => { throw new SealError(`${part}: "${value}"`); };
  if (!/^[0-9A-Za-z-]{1,64}$/.test(number)) bad('number', number);
  if (!/^[1-9][0-9]*$/.test(version)) bad('version', version);
  if (!(status in STATUS_NUMBER)) bad('status', status);
  if (!/^[1-9][0-9]*$/.test(sequence)) bad('entry sequence', sequence);
  if (!/^[0-9a-f]{64}$/.test(hash)) bad('entry hash', 'not 64 hex digits');
  if (!/^[1-9][0-9]*$/.test(micros)) bad('time', micros);
  if (!/^[0-9a-f]{128}$/.test(signature)) bad('signature', 'not 128 hex digits');
  return {
    number, version: BigInt(version), status, sequence: BigInt(sequence), hash,
    micros: BigInt(micros), signature,
    signedAt: new Date(Number(BigInt(micros) / 1000n)),
  };
}

function u64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

export function sealMessage(seal) {
  const enc = new TextEncoder();
  const parts = [
    enc.encode('CRADLE-SEAL-V1'), enc.encode(seal.number), new Uint8Array([0]),
    u64(seal.version), u64(BigInt(STATUS_NUMBER[seal.status])), u64(seal.sequence),
    fromHex(seal.hash), u64(seal.micros),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// True when `publicKeyHex` signed the seal.
export async function verifySeal(seal, publicKeyHex) {
  const key = await crypto.subtle.importKey('raw', fromHex(publicKeyHex), { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(seal.signature), sealMessage(seal));
}

// The QR code's text for a seal as the API answers it (GET
// /v1/manifests/{number}/seal): what cradlectl prints on paper.
export function sealQrText(seal) {
  const status = seal.status.replace('MANIFEST_STATUS_', '');
  return `${PREFIX}${seal.number}/${seal.version}/${status}/${seal.entrySequence}/${seal.entryHash}/${micros(seal.timestamp)}/${seal.signature}`;
}
