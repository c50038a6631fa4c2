// What the page tests share: a real cradled serving the pages and the
// HTTP/JSON API from a fresh data directory, calls to that API as the
// administrator, Debian's Chromium driven by playwright-core, and a fake
// camera that shows a QR code.

import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import QRCode from 'qrcode';
import { chromium } from 'playwright-core';

export const SOURCE = new URL('../..', import.meta.url).pathname;
const BIN = process.env.CRADLE_BIN_DIR || join(SOURCE, 'build');
export const CRADLED = process.env.CRADLE_CRADLED || join(BIN, 'services/cradled');
export const CHROMIUM = process.env.CRADLE_CHROMIUM || '/usr/bin/chromium';
export const ARTEFACTS = process.env.CRADLE_WEB_ARTEFACTS || join(BIN, 'web-artefacts');

// A cradled on free ports over a new data directory; resolves once it
// prints where it listens.
export async function startCradled() {
  const dir = mkdtempSync(join(tmpdir(), 'cradle-web-'));
  const child = spawn(CRADLED, [
    `--data=${dir}/data`, '--listen=127.0.0.1:0', '--insecure',
    '--http-listen=127.0.0.1:0', `--web=${join(SOURCE, 'web')}`,
    '--sweep-interval=0', '--scrub-rate=0',
  ], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LSAN_OPTIONS: `suppressions=${join(SOURCE, 'tests/e2e/lsan_tls_exit.supp')}` },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/pages and the HTTP\/JSON API on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`cradled exited ${code}: ${out}${err}`)));
  });
  const admin = readFileSync(`${dir}/data/admin.token`, 'utf8').trim();
  return {
    url,
    admin,
    dir,
    // Stops it as an operator would; what it exited with, and its stderr
    // (a sanitizer's report, say).
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      rmSync(dir, { recursive: true, force: true });
      return { code, stderr: err };
    },
  };
}

// A call to the API with `token`; throws with the server's message.
export async function api(server, token, verb, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method: verb,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: verb === 'POST' ? JSON.stringify(body || {}) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${verb} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// An attested write as a party's device makes it, with a key made here
// (`key` from newKey()): the bytes to sign from the gateway, an Ed25519
// signature, the request sent with it.
export async function signedApi(server, token, key, path, body) {
  const { bytes } = await api(server, token, 'POST', `${path}:signingBytes`, body);
  const signature = sign(null, Buffer.from(bytes, 'base64'), key.privateKey).toString('base64');
  return api(server, token, 'POST', path, { ...body, meta: { ...body.meta, signature } });
}

// An Ed25519 key pair, with its public half as the API wants it (base64).
export function newKey() {
  const pair = generateKeyPairSync('ed25519');
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  return { ...pair, publicBase64: der.subarray(der.length - 32).toString('base64') };
}

let keys = 0;
export const meta = () => ({ idempotencyKey: `web-test-${++keys}` });

// Writes a camera file (YUV4MPEG2, 4:2:0) that shows each of `texts` as a
// QR code in turn, a second each, for Chromium's
// --use-file-for-fake-video-capture (which plays it in a loop).
export function qrVideo(texts, path) {
  const w = 640;
  const h = 480;
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frames = [];
  for (const text of [].concat(texts)) {
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size;
    const scale = Math.floor((h - 40) / (size + 8));
    const offX = Math.floor((w - size * scale) / 2);
    const offY = Math.floor((h - size * scale) / 2);
    const y = Buffer.alloc(w * h, 235);  // white
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (!qr.modules.get(r, c)) continue;
        for (let dy = 0; dy < scale; dy++) {
          const row = (offY + r * scale + dy) * w + offX;
          y.fill(16, row + c * scale, row + (c + 1) * scale);
        }
      }
    }
    const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
    for (let i = 0; i < 10; i++) frames.push(frame);
  }
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...frames]));
}

// Debian's Chromium, headless, with the flags this machine needs (no
// background networking: the network is closed) and, when `camera` is
// given, a fake camera showing that file.
export async function launch(camera) {
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ];
  if (camera) {
    args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

// A page that records every console error and uncaught exception: a test
// ends by asserting there were none.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}

// The QR code text of a manifest's seal, as cradlectl prints it
// (services/manifest_seal.h).
export function sealText(seal) {
  const m = seal.timestamp.match(/^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/);
  const micros = BigInt(Date.parse(`${m[1]}${m[3]}`) / 1000) * 1000000n + BigInt((m[2] || '').padEnd(6, '0').slice(0, 6));
  const status = seal.status.replace('MANIFEST_STATUS_', '');
  return `CRADLE-SEAL1:${seal.number}/${seal.version}/${status}/${seal.entrySequence}/${seal.entryHash}/${micros}/${seal.signature}`;
}

// Accessibility basics on the page as it stands: every form control has
// a name, text contrast is at least 4.5:1 (3:1 for large text), and
// nothing is wider than the viewport. Returns the problems found.
export async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    for (const c of document.querySelectorAll('input, select, textarea, button')) {
      if (c.type === 'hidden' || c.closest('template') || !c.offsetParent) continue;
      const named = c.labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent.trim());
      if (!named) problems.push(`no label: ${c.outerHTML.slice(0, 80)}`);
    }
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
      for (; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!n.textContent.trim() || seen.has(e) || !e.offsetParent) continue;
      seen.add(e);
      const style = getComputedStyle(e);
      const opacity = Number(style.opacity);
      if (e.closest('button:disabled')) continue;
      const a = lum(rgb(style.color).slice(0, 3));
      const b = lum(background(e));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      if (opacity === 1 && ratio < (large ? 3 : 4.5)) {
        problems.push(`contrast ${ratio.toFixed(2)}: "${n.textContent.trim().slice(0, 30)}"`);
      }
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      problems.push(`wider than the viewport: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    }
    return problems;
  });
}
