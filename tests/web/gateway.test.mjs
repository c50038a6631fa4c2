// cradle-gateway as a process of its own in front of a cradled, as an
// operator runs it (docs/WEB.md): the calls go through with the caller's
// token, refusals come back as HTTP statuses, and bad flags are refused
// naming them before anything listens.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRADLED, SOURCE } from './harness.mjs';

const GATEWAY = process.env.CRADLE_GATEWAY || join(SOURCE, 'build/gateway/cradle-gateway');
const env = { ...process.env, LSAN_OPTIONS: `suppressions=${join(SOURCE, 'tests/e2e/lsan_tls_exit.supp')}` };
let dir;
let cradled;
let gateway;
let url;

// Starts `bin` and resolves with the first match of `pattern` in its output.
async function start(bin, args, pattern) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  const match = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`${bin} exited ${code}: ${out}`)));
  });
  return { child, match };
}

async function stop(child) {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cradle-gw-'));
  const server = await start(CRADLED, [`--data=${dir}/data`, '--listen=127.0.0.1:0', '--insecure',
    '--sweep-interval=0', '--scrub-rate=0'], /listening on 127\.0\.0\.1:(\d+)/);
  cradled = server.child;
  const gw = await start(GATEWAY, [`--upstream=127.0.0.1:${server.match[1]}`, '--listen=127.0.0.1:0',
    '--insecure', `--web=${join(SOURCE, 'web')}`], /serving HTTP on 127\.0\.0\.1:(\d+)/);
  gateway = gw.child;
  url = `http://127.0.0.1:${gw.match[1]}`;
});

after(async () => {
  if (gateway) assert.equal(await stop(gateway), 0);
  if (cradled) assert.equal(await stop(cradled), 0);
  rmSync(dir, { recursive: true, force: true });
});

test('calls go through with the caller\'s token', async () => {
  const admin = readFileSync(`${dir}/data/admin.token`, 'utf8').trim();
  let res = await fetch(`${url}/v1/whoami`, { headers: { Authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).credential.kind, 'CREDENTIAL_KIND_ADMINISTRATOR');
  res = await fetch(`${url}/v1/whoami`);
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.status, 'UNAUTHENTICATED');
  res = await fetch(`${url}/index.html`);
  assert.equal(res.status, 200);
  // Not given the server's key: the roadside check's route says so.
  res = await fetch(`${url}/v1/publicKey`);
  assert.equal(res.status, 404);
  assert.match((await res.json()).error.message, /--public-key/);
});

test('bad flags are refused naming them', () => {
  for (const [args, named] of [
    [['--upstream=10.0.0.1:7443', '--insecure'], /--upstream 10\.0\.0\.1:7443 is not on loopback/],
    [['--listen=0.0.0.0:0', '--insecure'], /loopback/],
    [['--listen=127.0.0.1:0'], /tls_cert, tls_key/],
    [['--call-timeout=soon', '--insecure'], /--call-timeout/],
    [['--public-key=nothere', '--insecure'], /--public-key/],
    [['--web=/no/such/folder', '--insecure', '--listen=127.0.0.1:0'], /web: \/no\/such\/folder is not a folder/],
  ]) {
    const run = spawnSync(GATEWAY, args, { env, encoding: 'utf8', timeout: 20000 });
    assert.notEqual(run.status, 0, args.join(' '));
    assert.match(run.stderr, named, args.join(' '));
  }
});
