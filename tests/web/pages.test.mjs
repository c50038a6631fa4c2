// The pages as people use them, in Debian's headless Chromium against a
// real cradled: a clerk opens a manifest, a driver on a phone scans its
// printed QR code with the camera and picks it up and hands it over, the
// gate weighs it and accepts it with a weight gap, the regulator sees the
// flag and verifies the chain in the page against a saved signed head,
// and a roadside officer checks the printed seal with no sign-in.
// Screenshots of every page go to $CRADLE_WEB_ARTEFACTS; any console error
// fails the test.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTEFACTS, SOURCE, accessibilityProblems, api, launch, meta, newKey, newPage,
  qrVideo, screenshot, sealText, signedApi, startCradled,
} from './harness.mjs';

const GENERATOR = '91330402MA2B3C4D5X';
const CARRIER = '91330421MA2G5K6L7X';
const RECEIVER = '91330481MA2C7H8J9X';
const PLATE = '浙F12345';
const RELAY_PLATE = '浙A54321';
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESK = { viewport: { width: 1280, height: 900 } };

let server;
const browsers = [];
const state = {};

// The USCC check digit is real: derive it rather than hard-code a wrong one.
function uscc(prefix17) {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(prefix17[i]) * weights[i];
  return prefix17 + alphabet[(31 - (sum % 31)) % 31];
}

const ids = {
  generator: uscc(GENERATOR.slice(0, 17)),
  carrier: uscc(CARRIER.slice(0, 17)),
  relay: uscc('91330108MA2H3M4N5'),
  hangzhou: uscc('91330106MA2D1E2F3'),
  receiver: uscc(RECEIVER.slice(0, 17)),
};

before(async () => {
  server = await startCradled();
  const admin = server.admin;
  const register = (id, name, division, role) => api(server, admin, 'POST', '/v1/enterprises',
    { meta: meta(), id, name, division, roles: [role] });
  await register(ids.generator, '嘉兴南湖精细化工', '330402', 'ROLE_GENERATOR');
  await register(ids.carrier, '嘉善安运物流', '330421', 'ROLE_TRANSPORTER');
  await register(ids.receiver, '海宁绿能固废处置', '330481', 'ROLE_RECEIVER');
  await register(ids.relay, '杭州滨江危运', '330108', 'ROLE_TRANSPORTER');
  await register(ids.hangzhou, '杭州西湖资源利用', '330106', 'ROLE_RECEIVER');
  await api(server, admin, 'POST', `/v1/enterprises/${ids.hangzhou}/licences`, {
    meta: meta(),
    licence: { number: 'ZJ-0106', codes: ['900-249-08', 'HW49'], capacityKg: '5000000', validUntil: '2027-12-31' },
  });
  await api(server, admin, 'POST', `/v1/enterprises/${ids.relay}/vehicles`,
    { meta: meta(), vehicle: { plate: RELAY_PLATE, permit: 'permit-2' } });
  await api(server, admin, 'POST', `/v1/enterprises/${ids.carrier}/vehicles`,
    { meta: meta(), vehicle: { plate: PLATE, permit: 'permit-1' } });
  await api(server, admin, 'POST', `/v1/enterprises/${ids.receiver}/licences`, {
    meta: meta(),
    licence: { number: 'ZJ-0481', codes: ['900-249-08', 'HW49'], capacityKg: '5000000', validUntil: '2027-12-31' },
  });
  const issue = async (body) => (await api(server, admin, 'POST', '/v1/credentials', { meta: meta(), ...body })).token;
  state.generatorToken = await issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: ids.generator, role: 'ROLE_GENERATOR', holder: '环保专员 王芳' });
  state.regulatorToken = await issue({ kind: 'CREDENTIAL_KIND_REGULATOR', jurisdiction: '3304', holder: '嘉兴市生态环境局' });
  state.provinceToken = await issue({ kind: 'CREDENTIAL_KIND_REGULATOR', jurisdiction: '33', holder: '浙江省生态环境厅' });
  state.issue = issue;
  // The generator's management plan for this year: 10 t of waste oil to
  // Haining, 10 t kept (docs/PLANS.md).
  const year = new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
  state.plan = (await api(server, state.generatorToken, 'POST', '/v1/plans', {
    meta: meta(),
    plan: {
      generator: ids.generator, year, tier: 'GENERATOR_TIER_KEY',
      lines: [{ code: '900-249-08', expectedG: '20000000', stockG: '10000000', transfers: [{ receiver: ids.receiver, quantityG: '10000000', method: 'D10' }] }],
    },
  })).plan.number;
  // A drum, registered and labelled by the generator (HJ 1276 code:
  // USCC, waste code, date, sequence).
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  state.drum = `${ids.generator}90024908${today}001`;
  await api(server, state.generatorToken, 'POST', '/v1/containers', {
    meta: meta(),
    container: { code: state.drum, generator: ids.generator, wasteCode: '900-249-08', weightG: '1000000', packaging: '桶' },
  });
  // Booked into the generator's store before it leaves (HJ 1259).
  const stored = await api(server, state.generatorToken, 'POST', '/v1/stock', {
    meta: meta(),
    record: { code: state.drum, move: 'STOCK_MOVE_STORED', facility: '贮存库1' },
  });
  assert.equal(stored.container.stock, 'STOCK_STATE_STORED');
});

after(async () => {
  for (const b of browsers) await b.close();
  if (server) {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, `cradled exited ${code}: ${stderr.slice(-4000)}`);
  }
});

async function signIn(page, token) {
  await page.goto(`${server.url}/index.html`);
  await page.getByLabel('令牌 Token').fill(token);
  await page.getByRole('button', { name: /登录 Sign in/ }).click();
  await page.waitForSelector('#signed-in:has-text("已登录")');
  // The token is a secret: kept, not left on the screen.
  assert.equal(await page.locator('#token').inputValue(), '');
  assert.equal(await page.locator('#token').getAttribute('type'), 'password');
}

// A party whose key is made in its own browser: the page shows the public
// key, the administrator issues the credential for it.
async function partyWithDeviceKey(page, enterprise, role, holder) {
  await page.goto(`${server.url}/index.html`);
  await page.getByRole('button', { name: /生成密钥/ }).click();
  await page.waitForSelector('#status.done, #status.error');
  noErrors(page);
  const pub = await page.locator('#pubkey').textContent();
  assert.match(pub, /^[0-9a-f]{64}$/);
  const token = await state.issue({
    kind: 'CREDENTIAL_KIND_PARTY', enterprise, role, holder,
    publicKey: Buffer.from(pub, 'hex').toString('base64'),
  });
  await signIn(page, token);
  return token;
}

// The text of the QR code image `selector` shows, decoded in the page with
// its own copy of jsQR (the CSP refuses an inline script).
async function decodeQr(page, selector) {
  await page.addScriptTag({ url: '/vendor/jsqr/jsQR.js' });
  return page.evaluate((sel) => {
    const img = document.querySelector(sel);
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const code = window.jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
    return code && code.data;
  }, selector);
}

function noErrors(page) {
  assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
}

test('a clerk signs in with the keyboard alone and opens a manifest with the legal form', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  // Keyboard only: Tab reaches the token field, Enter submits.
  await page.goto(`${server.url}/index.html`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'token');
  await page.keyboard.type(state.generatorToken);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#signed-in:has-text("已登录")');
  await screenshot(page, '0-start');
  await page.goto(`${server.url}/clerk.html`);
  await page.waitForSelector('#who:has-text("913304")');
  const form = page.locator('#open');
  await form.getByLabel(/Carrier/).fill(ids.carrier);
  await form.getByLabel(/Receiver/).fill(ids.receiver);
  await page.locator('#method').selectOption('D10');
  const line = page.locator('#lines .line').first();
  // Searching the catalogue by code fills the name.
  await line.getByLabel(/Waste code/).fill('900-249-08');
  await line.getByLabel(/Waste code/).dispatchEvent('change');
  assert.notEqual(await line.getByLabel(/^废物名称/).inputValue(), '');
  await line.getByLabel(/Quantity/).fill('1t');
  await line.getByLabel(/^包装方式/).selectOption('桶');
  await line.getByLabel(/^包装数量/).fill('1');
  await line.getByLabel(/Container codes/).fill(state.drum);
  await line.getByLabel(/Physical form/).selectOption('PHYSICAL_FORM_LIQUID');
  await line.getByLabel(/Purpose/).selectOption('TRANSFER_PURPOSE_DISPOSE');
  // A second line, found by its name in the catalogue list.
  await page.getByRole('button', { name: /增加一行/ }).click();
  const second = page.locator('#lines .line').nth(1);
  await second.getByLabel(/Waste code/).fill('900-041-49');
  await second.getByLabel(/Waste code/).dispatchEvent('change');
  await second.getByLabel(/Quantity/).fill('250kg');
  await second.getByLabel(/^包装方式/).selectOption('袋');
  await second.getByLabel(/^包装数量/).fill('10');
  await form.getByLabel(/Contact's mobile/).fill('13800000000');
  await form.getByLabel(/Emergency line/).fill('0573-82000000');
  // A bad field first: refused, naming it, and nothing opened.
  await line.getByLabel(/Quantity/).fill('lots');
  await page.getByRole('button', { name: /开具联单 Open the manifest/ }).click();
  await page.waitForSelector('#status.error');
  assert.match(await page.locator('#status').textContent(), /lines\[0\]\.quantity/);
  await line.getByLabel(/Quantity/).fill('1t');
  await page.getByRole('button', { name: /开具联单 Open the manifest/ }).click();
  await page.waitForSelector('#opened-number');
  state.number = await page.locator('#opened-number').textContent();
  assert.match(state.number, /^\d{14}$/);
  await page.waitForSelector(`#inbox td:has-text("${state.number}")`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '1-clerk');
  noErrors(page);
  // The print view: the legal form with the server's seal as a QR code,
  // which must read back as the seal the API gives.
  await page.locator('#inbox tr', { hasText: state.number }).getByRole('link', { name: /打印/ }).click();
  await page.waitForFunction(() => document.getElementById('seal-qr')?.complete);
  const printed = await decodeQr(page, '#seal-qr');
  // The server signs a seal when asked: the time and signature differ from
  // another fetch's, the rest must not. The roadside check below verifies
  // this printed one.
  const { seal } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}/seal`);
  const fixed = (text) => text.split('/').slice(0, 5).join('/');
  assert.equal(fixed(printed), fixed(sealText(seal)));
  state.seal = printed;
  assert.match(await page.locator('#form').textContent(), /嘉兴南湖精细化工/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '1-print');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header').isVisible(), false);
  await page.emulateMedia({ media: 'screen' });
  noErrors(page);

  // A drum registered on the page, and its label printed: the QR code on
  // the label reads back as the drum's HJ 1276 code.
  await page.goto(`${server.url}/clerk.html`);
  const drum = page.locator('#drum');
  await drum.getByLabel(/^废物代码/).fill('900-249-08');
  await drum.getByLabel(/^重量/).fill('lots');
  await page.getByRole('button', { name: /登记容器/ }).click();
  await page.waitForSelector('#status.error:has-text("container.weight")');
  await drum.getByLabel(/^重量/).fill('200kg');
  await drum.getByLabel(/^当日序号/).fill('2');
  await drum.getByLabel(/^主要成分/).fill('矿物油');
  // The status still shows the refusal above until the registration is
  // answered: wait for the answer itself, however long a loaded machine
  // takes.
  await page.getByRole('button', { name: /登记容器/ }).click();
  await page.waitForSelector('#status.done:has-text("Container registered")', { timeout: 120000 });
  const drum2 = state.drum.replace(/001$/, '002');
  assert.equal(await page.locator('#drums li .mono').textContent(), drum2);
  await page.getByRole('link', { name: /打印标签/ }).click();
  await page.waitForFunction(() => document.querySelector('.label-qr')?.complete);
  const onLabel = await decodeQr(page, '.label-qr');
  assert.equal(onLabel, drum2);
  assert.match(await page.locator('.label').textContent(), /嘉兴南湖精细化工.*200\.0 kg/s);
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '1-labels');
  // Printed at its true size: one 100 mm page per label, whatever the
  // paper the browser would have chosen, with the whole label on it.
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  (await import('node:fs')).writeFileSync(join(ARTEFACTS, '1-labels.pdf'), pdf);
  const pages = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)]
    .map((m) => [Math.round(Number(m[1]) / 72 * 25.4), Math.round(Number(m[2]) / 72 * 25.4)]);
  assert.deepEqual(pages, [[100, 100]]);
  const box = await page.locator('.label').evaluate((e) => ({ client: e.clientHeight, scroll: e.scrollHeight }));
  assert.ok(box.scroll <= box.client, `the label's content overflows its 100 mm: ${JSON.stringify(box)}`);
  await page.emulateMedia({ media: null });
  noErrors(page);
});

test('a driver scans the printed manifest with the phone camera and hands it over', async () => {
  const camera = join(ARTEFACTS, 'seal.y4m');
  (await import('node:fs')).mkdirSync(ARTEFACTS, { recursive: true });
  // The camera sees the manifest printed by the clerk, then the drum's label.
  qrVideo([state.seal, state.drum], camera);
  const browser = await launch(camera);
  browsers.push(browser);
  const page = await newPage(browser, PHONE);
  await page.context().grantPermissions(['camera'], { origin: server.url });
  state.carrierToken = await partyWithDeviceKey(page, ids.carrier, 'ROLE_TRANSPORTER', '司机 张伟');
  await page.goto(`${server.url}/driver.html`);
  await page.waitForSelector(`#loads td:has-text("${state.number}")`);
  await page.getByRole('button', { name: /扫描二维码/ }).click();
  await page.waitForFunction((n) => document.getElementById('number').value === n, state.number, { timeout: 20000 });
  await page.waitForFunction((d) => document.getElementById('containers').value === d, state.drum, { timeout: 20000 });
  await page.getByRole('button', { name: /停止/ }).click();
  await page.getByLabel(/Vehicle plate/).fill(PLATE);
  await page.getByLabel(/Trip no/).fill('20261123-1');
  await screenshot(page, '2-driver');
  // No signal at the generator's yard: the pickup waits on the phone,
  // shown, and goes up when the network is back, once.
  await page.context().setOffline(true);
  await page.getByRole('button', { name: /提货 Pick up/ }).click();
  // The drum's load scan, then the pickup: wait for the second, whose
  // message comes last (the first one's shows for a moment before).
  await page.waitForSelector('#status.done:has-text("Pickup"):has-text("saved on this phone")');
  await page.waitForSelector('#queue-count:has-text("2")');
  assert.deepEqual(await page.locator('#queue li').allTextContents().then((t) => t.map((x) => x.split(' ')[1])),
    ['Scan', 'Pickup']);
  let { manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`);
  assert.equal(manifest.status, 'MANIFEST_STATUS_ISSUED');
  await screenshot(page, '2-driver-offline');
  await page.context().setOffline(false);
  await page.getByRole('button', { name: /立即上传/ }).click();
  await page.waitForSelector('#queue-count:has-text("0")');
  ({ manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`));
  assert.equal(manifest.status, 'MANIFEST_STATUS_IN_TRANSIT');
  assert.equal(manifest.legs[0].vehicle, PLATE);
  assert.equal(manifest.legs[0].trip, '20261123-1');
  assert.deepEqual(manifest.scans.map((x) => [x.point, x.containers]), [['SCAN_POINT_LOAD', [state.drum]]]);
  assert.deepEqual(manifest.flags.map((f) => f.kind), []);
  // Half way, the next carrier's driver scans the drum onto its own truck
  // (the printed manifest first, for its number), on its own phone...
  const relayCamera = join(ARTEFACTS, 'relay.y4m');
  qrVideo([state.seal, state.drum], relayCamera);
  const relayBrowser = await launch(relayCamera);
  browsers.push(relayBrowser);
  const relay = await newPage(relayBrowser, PHONE);
  await relay.context().grantPermissions(['camera'], { origin: server.url });
  await partyWithDeviceKey(relay, ids.relay, 'ROLE_TRANSPORTER', '司机 李强');
  await relay.goto(`${server.url}/driver.html`);
  await relay.waitForSelector('#who:has-text("91330108")');
  // Nothing scanned yet: refused, naming what is missing.
  await relay.getByRole('button', { name: /接驳接收/ }).click();
  await relay.waitForSelector('#status.error:has-text("number")');
  await relay.getByRole('button', { name: /扫描二维码/ }).click();
  await relay.waitForFunction((n) => document.getElementById('number').value === n, state.number, { timeout: 20000 });
  await relay.waitForFunction((d) => document.getElementById('containers').value === d, state.drum, { timeout: 20000 });
  await relay.getByRole('button', { name: /停止/ }).click();
  await relay.getByRole('button', { name: /接驳接收/ }).click();
  await relay.waitForSelector('#status.done:has-text("Relay scan")');
  // ... and the carrier holding it hands it over.
  await page.getByLabel(/Next carrier/).fill(ids.relay);
  await page.getByLabel(/Next vehicle/).fill(RELAY_PLATE);
  await page.getByRole('button', { name: /交接 Hand over/ }).click();
  await page.waitForSelector('#status.done:has-text("Relay")');
  ({ manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`));
  assert.deepEqual(manifest.legs.map((l) => [l.carrier, l.vehicle]), [[ids.carrier, PLATE], [ids.relay, RELAY_PLATE]]);
  assert.deepEqual(manifest.scans.map((x) => [x.point, x.by, x.containers]),
    [['SCAN_POINT_LOAD', ids.carrier, [state.drum]], ['SCAN_POINT_RELAY', ids.relay, [state.drum]]]);
  // Every drum scanned at each hand-over: no flag.
  assert.deepEqual(manifest.flags.map((f) => [f.kind, f.detail]), []);
  // Sent once, whatever the retries: one pickup entry.
  const { entries } = await api(server, state.regulatorToken, 'GET', `/v1/chains/${state.number}`);
  assert.equal(entries.filter((e) => /picked_up/.test(e.type)).length, 1, JSON.stringify(entries.map((e) => e.type)));
  assert.deepEqual(await accessibilityProblems(page), []);
  // The offline request failed as a network error does: that is the one
  // console error expected.
  page.errors = page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e));
  noErrors(page);
  // The load is now the next driver's.
  await relay.reload();
  await relay.waitForSelector(`#loads td:has-text("${state.number}")`);
  await screenshot(relay, '2-driver-relay');
  assert.deepEqual(await accessibilityProblems(relay), []);
  noErrors(relay);
});

test('the gate weighs the load, accepts a line with a weight gap, rejects one, and disposes of the rest', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  state.receiverToken = await partyWithDeviceKey(page, ids.receiver, 'ROLE_RECEIVER', '门岗 李强');
  await page.goto(`${server.url}/gate.html`);
  await page.waitForSelector(`#arrivals td:has-text("${state.number}")`);
  await page.locator('#arrivals a', { hasText: state.number }).click();
  // The drum, read off the truck with the handheld reader (it types).
  await page.getByLabel(/^容器编码/).fill(`${state.drum}\n`);
  await page.getByRole('button', { name: /记录到场扫描/ }).click();
  await page.waitForSelector('#status.done:has-text("Arrival scan recorded: 1")');
  await page.getByRole('button', { name: /确认到达/ }).click();
  await page.waitForSelector('#status.done:has-text("Arrived")');
  await page.waitForSelector('#weigh-box:not(.hidden)');
  await page.getByLabel(/^毛重/).fill('13.45t');
  await page.getByLabel(/^皮重/).fill('12.3t');
  await page.getByRole('button', { name: /记录过磅/ }).click();
  await page.waitForSelector('#status.done:has-text("Weighing recorded")');
  await page.getByLabel('第1行实收 Line 1 received').fill('0.9t');
  await page.getByLabel('第1行原因 Line 1 reason').fill('桶内余量不足');
  // The second line refused whole, with its reason.
  await page.getByLabel('第2行接收 Line 2 decision').selectOption('DECISION_REJECT');
  await page.getByLabel('第2行实收 Line 2 received').fill('250kg');
  await page.getByLabel('第2行原因 Line 2 reason').fill('包装破损，渗漏');
  await page.getByLabel(/Received by/).fill('李强');
  await page.getByRole('button', { name: /确认接收/ }).click();
  await page.waitForSelector('#status.done:has-text("Received")');
  let { manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`);
  assert.equal(manifest.status, 'MANIFEST_STATUS_PARTIALLY_ACCEPTED');
  assert.deepEqual(manifest.destinations[0].rejectReasons.filter(Boolean), ['包装破损，渗漏']);
  // The weight gap is flagged; every drum was scanned at each hand-over,
  // so nothing else is.
  assert.deepEqual(manifest.flags.map((f) => f.kind), ['FLAG_KIND_QUANTITY_DISCREPANCY']);
  assert.deepEqual(manifest.scans.map((x) => x.point), ['SCAN_POINT_LOAD', 'SCAN_POINT_RELAY', 'SCAN_POINT_ARRIVAL']);
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '3-gate');
  // Disposed of by the method on the manifest, the quantity accepted; the
  // line rejected whole is not offered.
  await page.waitForSelector('#dispose:not(.hidden)');
  assert.equal(await page.locator('#disposal-lines tr').count(), 1);
  assert.equal(await page.getByLabel('第1行处置方式 Line 1 method').inputValue(), 'D10');
  // The quantity accepted, by default.
  assert.equal(await page.getByLabel('第1行处置数量 Line 1 quantity').inputValue(), '900.0kg');
  await page.getByRole('button', { name: /确认处置/ }).click();
  await page.waitForSelector('#status.done:has-text("Disposed")');
  ({ manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`));
  assert.deepEqual(manifest.destinations[0].disposedG, ['900000', '0']);
  assert.deepEqual(manifest.destinations[0].disposalMethods.filter(Boolean), ['D10']);
  // The rejected line is the generator's to send on.
  const { items } = await api(server, state.generatorToken, 'GET', `/v1/inbox?party=${ids.generator}`);
  assert.ok(items.some((i) => i.task === 'TASK_REROUTE' && i.number === state.number), JSON.stringify(items));
  noErrors(page);
});

// A second load, driven through the API as the parties' own devices
// would: 2 t from Jiaxing to a receiver in Hangzhou, for the flows.
async function loadToHangzhou() {
  const carrierKey = newKey();
  const receiverKey = newKey();
  const carrier = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: ids.carrier, role: 'ROLE_TRANSPORTER', holder: '司机 赵磊', publicKey: carrierKey.publicBase64 });
  const receiver = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: ids.hangzhou, role: 'ROLE_RECEIVER', holder: '门岗 陈静', publicKey: receiverKey.publicBase64 });
  const { manifest } = await api(server, state.generatorToken, 'POST', '/v1/manifests', {
    meta: meta(), generator: ids.generator, carrier: ids.carrier, receiver: ids.hangzhou, method: 'R9',
    lines: [{ code: '900-249-08', quantityG: '2000000', packaging: '桶', packageCount: 10 }],
  });
  const n = manifest.number;
  await signedApi(server, carrier, carrierKey, `/v1/manifests/${n}:pickup`, { meta: meta(), carrier: ids.carrier, vehicle: PLATE });
  await signedApi(server, receiver, receiverKey, `/v1/manifests/${n}:deliver`, { meta: meta(), receiver: ids.hangzhou });
  await signedApi(server, receiver, receiverKey, `/v1/manifests/${n}:receive`, {
    meta: meta(), receiver: ids.hangzhou, lines: [{ line: 1, decision: 'DECISION_ACCEPT', quantityG: '2000000' }],
  });
}

test('the regulator sees the flag and verifies the chain against a saved head', async () => {
  await loadToHangzhou();
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.regulatorToken);
  await page.goto(`${server.url}/regulator.html`);
  const row = page.locator(`#flags tr[data-kind="FLAG_KIND_QUANTITY_DISCREPANCY"]`, { hasText: state.number });
  await row.waitFor();
  // The receiver's risk colour, from the flag: no longer green while the
  // flag is open.
  await row.locator('a', { hasText: ids.receiver }).click();
  const risk = page.locator(`#risks tr[data-enterprise="${ids.receiver}"]`);
  await risk.waitFor();
  assert.notEqual(await risk.locator('td').nth(1).textContent(), 'green');
  assert.notEqual(await risk.locator('td').nth(2).textContent(), '0');
  page.once('dialog', (d) => d.accept('已电话核实，现场计量误差'));
  await row.getByRole('button', { name: /确认 Acknowledge/ }).click();
  await page.waitForSelector('#status.done:has-text("acknowledged")');
  await page.getByRole('button', { name: /保存树头/ }).click();
  await page.waitForSelector('#saved-head:has-text("entries")');
  await page.getByLabel(/^联单号/).fill(state.number);
  await page.getByRole('button', { name: /核验/ }).click();
  await page.waitForSelector('#verdict.ok');
  assert.match(await page.locator('#verdict').textContent(), /All \d+ entries are in the saved head/);
  assert.ok(await page.locator('#chain td.ok:has-text("有效 valid")').count() >= 3);
  await page.getByRole('button', { name: /查询 Show/ }).click();
  await page.waitForSelector('#in-city:has-text("%")');
  // The flows drawn, and named: 0.9 t stayed in 嘉兴市 (3304), 2 t went to
  // 杭州市 (3301).
  await page.waitForSelector('#flow-map canvas');
  assert.match(await page.locator('#flows').textContent(), /3304 嘉兴市/);
  assert.match(await page.locator('#flows').textContent(), /3301 杭州市/);
  assert.match(await page.locator('#in-city').textContent(), /31\.0%/);
  // The export downloads the jurisdiction's manifests as CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /导出 CSV/ }).click(),
  ]);
  const csv = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
  assert.match(csv, new RegExp(`^${state.number},`, 'm'));
  // The acknowledged flag, resolved.
  await page.locator('#state').selectOption('FLAG_STATE_ACKED');
  await page.getByRole('button', { name: /查询 List/ }).click();
  const acked = page.locator('#flags tr[data-kind="FLAG_KIND_QUANTITY_DISCREPANCY"]', { hasText: state.number });
  await acked.waitFor();
  page.once('dialog', (d) => d.accept('生产方补充说明，已结案'));
  await acked.getByRole('button', { name: /解决 Resolve/ }).click();
  await page.waitForSelector('#status.done:has-text("resolved")');
  const { manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${state.number}`);
  const flag = manifest.flags.find((f) => f.kind === 'FLAG_KIND_QUANTITY_DISCREPANCY');
  assert.equal(flag.state, 'FLAG_STATE_RESOLVED');
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '4-regulator');
  // A head from another key is refused: the page pinned the first.
  await page.evaluate(() => {
    const h = JSON.parse(localStorage.getItem('cradle.head'));
    h.publicKey = 'ab'.repeat(32);
    localStorage.setItem('cradle.head', JSON.stringify(h));
  });
  await page.getByRole('button', { name: /保存树头/ }).click();
  await page.waitForSelector('#status.error:has-text("not signed by the key")');
  noErrors(page);
});

test('a province\'s office sees its flags counted by city', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.provinceToken);
  await page.goto(`${server.url}/regulator.html`);
  const jiaxing = page.locator('#by-city tr[data-city="3304"]');
  await jiaxing.waitFor();
  assert.match(await jiaxing.textContent(), /嘉兴市/);
  const { flags } = await api(server, state.provinceToken, 'GET', '/v1/flags?state=FLAG_STATE_OPEN&pageSize=200');
  const fromJiaxing = flags.filter((f) => f.originCity === '3304').length;
  assert.ok(fromJiaxing > 0);
  assert.equal(await jiaxing.locator('td').nth(1).textContent(), String(fromJiaxing));
  noErrors(page);
});

test('a roadside check verifies the printed seal with no sign-in', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, PHONE);
  await page.goto(`${server.url}/check.html`);
  await page.waitForSelector('#key:has-text("0"), #key:has-text("a")');
  await page.getByLabel(/QR code's text/).fill(state.seal);
  await page.getByRole('button', { name: /核验 Check/ }).click();
  await page.waitForSelector('#verdict.ok');
  assert.equal(await page.locator('#seal-number').textContent(), state.number);
  await screenshot(page, '5-check');
  assert.deepEqual(await accessibilityProblems(page), []);
  // An altered paper: the status changed by hand.
  await page.getByLabel(/QR code's text/).fill(state.seal.replace('/ISSUED/', '/CLOSED/'));
  await page.getByRole('button', { name: /核验 Check/ }).click();
  await page.waitForSelector('#verdict.bad');
  noErrors(page);
});

test('every page is usable on a 360 px phone', async () => {
  const browser = await launch();
  browsers.push(browser);
  for (const [name, token, ready] of [
    ['clerk', state.generatorToken, `#inbox td:has-text("${state.number}")`],
    ['driver', state.carrierToken, '#who:has-text("913304")'],
    ['gate', state.receiverToken, '#who:has-text("91330481")'],
    ['regulator', state.regulatorToken, '#in-city:has-text("%")'],
    ['check', null, '#key'],
  ]) {
    const page = await newPage(browser, PHONE);
    if (token) await signIn(page, token);
    await page.goto(`${server.url}/${name}.html`);
    await page.waitForSelector(ready);
    assert.deepEqual(await accessibilityProblems(page), [], name);
    await screenshot(page, `phone-${name}`);
    noErrors(page);
    await page.context().close();
  }
});

test('every enum value the pages name is one the API has', async () => {
  // A page that sends FLAG_STATE_ACKNOWLEDGED where the API says
  // FLAG_STATE_ACKED is refused at run time: find them all here instead.
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json();
  const values = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (Array.isArray(v.enum)) v.enum.forEach((e) => values.add(e));
      Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  const prefixes = new Set([...values].map((v) => v.split('_')[0]));
  const files = [];
  const list = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'vendor' || name === 'data') continue;
      if (statSync(path).isDirectory()) list(path);
      else if (/\.(js|html)$/.test(name)) files.push(path);
    }
  };
  list(join(SOURCE, 'web'));
  const unknown = [];
  let named = 0;
  for (const file of files) {
    for (const [token] of readFileSync(file, 'utf8').matchAll(/\b[A-Z]+(?:_[A-Z0-9]+)+\b/g)) {
      if (!prefixes.has(token.split('_')[0])) continue;
      named += 1;
      if (!values.has(token)) unknown.push(`${file.slice(SOURCE.length)}: ${token}`);
    }
  }
  assert.ok(named > 30, `only ${named} enum values found in the pages`);
  assert.deepEqual(unknown, []);
});

test('a clerk issues a draft, answers the revisions waiting on it, proposes one, and sees why its colour is what it is', async () => {
  const open = async (draft) => (await api(server, state.generatorToken, 'POST', '/v1/manifests', {
    meta: meta(), generator: ids.generator, carrier: ids.carrier, receiver: ids.receiver, method: 'D10', draft,
    lines: [{ code: '900-249-08', quantityG: '500000', packaging: '桶', packageCount: 2 }],
  })).manifest.number;
  const draft = await open(true);
  const number = await open(false);
  // The carrier proposes two corrections the generator must answer.
  const propose = async (field, oldValue, newValue) => (await api(server, state.carrierToken, 'POST',
    `/v1/manifests/${number}:proposeRevision`,
    { meta: meta(), by: ids.carrier, changes: [{ field, oldValue, newValue }], reason: '过磅复核 reweighed' })).revision;
  const raise = await propose('lines[0].quantity_g', '500000', '520000');
  const repack = await propose('lines[0].packaging', '桶', '吨袋');

  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.generatorToken);
  await page.goto(`${server.url}/clerk.html`);
  // The draft, issued from the inbox.
  const draftRow = page.locator('#tasks tr', { hasText: draft });
  await draftRow.getByRole('button', { name: /开具 Issue/ }).click();
  await page.waitForSelector(`#status.done:has-text("issued: ${draft}")`);
  let { manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${draft}`);
  assert.equal(manifest.status, 'MANIFEST_STATUS_ISSUED');
  // One revision approved: it still waits on the receiver.
  const raiseRow = page.locator(`#tasks tr[data-revision="${raise}"]`);
  assert.match(await raiseRow.textContent(), /lines\[0\]\.quantity_g "500000" -> "520000"/);
  await raiseRow.getByRole('button', { name: /批准 Approve/ }).click();
  await page.waitForSelector(`#status.done:has-text("Approve: ${raise}")`);
  await raiseRow.waitFor({ state: 'detached' });
  // The other refused: first without the note a refusal needs.
  const repackRow = page.locator(`#tasks tr[data-revision="${repack}"]`);
  await repackRow.getByRole('button', { name: /拒绝 Refuse/ }).click();
  await page.waitForSelector('#status.error:has-text("note")');
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${number}`));
  const byId = (id) => manifest.revisions.find((r) => r.id === id);
  assert.equal(byId(repack).state, 'REVISION_STATE_PENDING');
  assert.deepEqual(byId(repack).answers || [], []);
  assert.deepEqual(byId(raise).answers.map((a) => [a.by, a.verdict]), [[ids.generator, 'REVISION_VERDICT_APPROVE']]);
  assert.equal(byId(raise).state, 'REVISION_STATE_PENDING');
  await repackRow.getByLabel(/Note on/).fill('仍用铁桶 still drums');
  await repackRow.getByRole('button', { name: /拒绝 Refuse/ }).click();
  await page.waitForSelector(`#status.done:has-text("Refuse: ${repack}")`);
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${number}`));
  assert.equal(manifest.revisions.find((r) => r.id === repack).state, 'REVISION_STATE_REFUSED');
  // The clerk's own correction: the field's value now is read from the
  // manifest; a contact needs no one else's approval.
  await page.getByLabel(/^联单号 Manifest no\./).last().fill(number);
  await page.getByLabel(/^更正字段/).selectOption('dispatch.contact');
  await page.getByLabel(/^新值/).fill('李娜');
  await page.getByLabel(/^更正原因/).fill('联系人变更 new contact');
  await page.getByRole('button', { name: /提出更正/ }).click();
  await page.waitForSelector('#status.done:has-text("APPLIED")');
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${number}`));
  assert.equal(manifest.dispatch.contact, '李娜');
  assert.equal(await page.locator('#revise-old').inputValue(), '李娜');
  await page.locator(`#revisions li[data-id="${raise}"]:has-text("${ids.receiver}")`).waitFor();
  // A line the manifest does not have: refused, naming it, and nothing
  // changes.
  const before = manifest.revisions.length;
  await page.getByLabel(/^更正字段/).selectOption('lines[].name');
  await page.getByLabel(/^行号/).fill('9');
  await page.getByLabel(/^新值/).fill('废机油');
  await page.getByRole('button', { name: /提出更正/ }).click();
  await page.waitForSelector('#status.error:has-text("no line 8")');
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${number}`));
  assert.equal(manifest.revisions.length, before);
  // The line the gate rejected, sent on to the site in Hangzhou: first to
  // the site that rejected it, refused naming `to`, and nothing changes.
  const reroute = page.locator('#tasks tr[data-task="TASK_REROUTE"]', { hasText: state.number });
  await reroute.getByLabel(/^改送单位/).fill(ids.receiver);
  await reroute.getByLabel(/^运输单位/).fill(ids.carrier);
  await reroute.getByLabel(/^车牌号/).fill(PLATE);
  await reroute.getByRole('button', { name: /改送 Send on/ }).click();
  await page.waitForSelector('#status.error:has-text("to ")');
  assert.match(await page.locator('#status').textContent(), /rejected the load/);
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${state.number}`));
  assert.equal(manifest.destinations.length, 1);
  await reroute.getByLabel(/^改送单位/).fill(ids.hangzhou);
  await reroute.getByRole('button', { name: /改送 Send on/ }).click();
  await page.waitForSelector(`#status.done:has-text("Sent on: ${state.number}")`);
  ({ manifest } = await api(server, state.generatorToken, 'GET', `/v1/manifests/${state.number}`));
  assert.deepEqual(manifest.destinations.map((d) => d.receiver), [ids.receiver, ids.hangzhou]);
  assert.equal(manifest.status, 'MANIFEST_STATUS_IN_TRANSIT');
  await reroute.waitFor({ state: 'detached' });
  // The colour, and the open flags that make it.
  const { risk } = await api(server, state.generatorToken, 'GET', `/v1/enterprises/${ids.generator}/risk`);
  assert.ok(risk.flagIds.length > 0, 'the generator has open flags by now');
  await page.waitForSelector(`#risk-flags tr >> nth=${risk.flagIds.length - 1}`);
  assert.equal(await page.locator('#risk-flags tr').count(), risk.flagIds.length);
  assert.equal(await page.locator('#risk-colour').textContent(), risk.colour);
  await screenshot(page, '6-clerk-revisions');
  assert.deepEqual(await accessibilityProblems(page), []);
  // The three refusals above answered 400, which the console reports.
  const refused = page.errors.filter((e) => /status of 400/.test(e));
  assert.equal(refused.length, 3, JSON.stringify(page.errors));
  page.errors = page.errors.filter((e) => !refused.includes(e));
  noErrors(page);
});

test('a page sends back the furthest ledger position a cluster node named', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.generatorToken);
  // A cluster node names its position in every answer (cradle-sequence,
  // through the gateway); this single server names none, so the test adds
  // one to the answer of whoami, and a lower one to the inbox's.
  const named = { '/v1/whoami': '4242', '/v1/inbox': '17' };
  await page.route('**/v1/**', async (route) => {
    const res = await route.fetch();
    const at = named[new URL(route.request().url()).pathname];
    await route.fulfill({ response: res, headers: at ? { ...res.headers(), 'cradle-sequence': at } : res.headers() });
  });
  const sent = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/')) sent.push([new URL(r.url()).pathname, r.headers()['cradle-min-sequence']]);
  });
  await page.goto(`${server.url}/clerk.html`);
  await page.waitForSelector(`#inbox td:has-text("${state.number}")`);
  await page.getByRole('button', { name: /刷新 Refresh/ }).click();
  await page.waitForFunction(() => document.querySelector('#refresh') && !document.querySelector('#refresh').disabled);
  await page.waitForSelector(`#inbox td:has-text("${state.number}")`);
  // Nothing before whoami answered; 4242 after, never lowered by the 17.
  const whoami = sent.findIndex(([path]) => path === '/v1/whoami');
  assert.ok(whoami >= 0, JSON.stringify(sent));
  assert.equal(sent[whoami][1], undefined);
  const later = sent.slice(whoami + 1).filter(([path]) => path !== '/v1/whoami');
  assert.ok(later.length >= 3, JSON.stringify(sent));
  assert.deepEqual([...new Set(later.map(([, at]) => at))], ['4242'], JSON.stringify(sent));
  noErrors(page);
});

test('the regulator answers a revision of a load on the road, and returns a manifest and confirms its fix', async () => {
  // A load on the road whose quantity the carrier corrects: what was
  // handed over changes, so a regulator must approve too.
  const carrierKey = newKey();
  const carrier = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: ids.carrier, role: 'ROLE_TRANSPORTER', holder: '司机 周敏', publicKey: carrierKey.publicBase64 });
  const open = async () => (await api(server, state.generatorToken, 'POST', '/v1/manifests', {
    meta: meta(), generator: ids.generator, carrier: ids.carrier, receiver: ids.receiver, method: 'D10',
    lines: [{ code: '900-249-08', quantityG: '800000', packaging: '桶', packageCount: 4 }],
  })).manifest.number;
  const onRoad = await open();
  await signedApi(server, carrier, carrierKey, `/v1/manifests/${onRoad}:pickup`, { meta: meta(), carrier: ids.carrier, vehicle: PLATE });
  const { revision } = await api(server, carrier, 'POST', `/v1/manifests/${onRoad}:proposeRevision`, {
    meta: meta(), by: ids.carrier, changes: [{ field: 'lines[0].quantity_g', oldValue: '800000', newValue: '780000' }], reason: '装车复磅 reweighed at loading',
  });
  let { manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${onRoad}`);
  assert.equal(manifest.revisions.find((r) => r.id === revision).needsRegulator, true);
  const returned = await open();

  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.regulatorToken);
  await page.goto(`${server.url}/regulator.html`);
  const row = page.locator(`#corrections tr[data-revision="${revision}"]`);
  assert.match(await row.textContent(), /lines\[0\]\.quantity_g "800000" -> "780000"/);
  await row.getByRole('button', { name: /批准 Approve/ }).click();
  await page.waitForSelector(`#status.done:has-text("Approve: ${revision}")`);
  await row.waitFor({ state: 'detached' });
  ({ manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${onRoad}`));
  assert.deepEqual(manifest.revisions.find((r) => r.id === revision).answers.map((a) => [a.by, a.verdict]),
    [['regulator:3304', 'REVISION_VERDICT_APPROVE']]);
  // A manifest returned to its generator: a bad number first, refused
  // naming it, and nothing returned.
  await page.getByLabel(/^退回联单号/).fill('2026');
  await page.getByRole('button', { name: /退回 Return/ }).click();
  await page.waitForSelector('#status.error:has-text("number")');
  await page.getByLabel(/^退回联单号/).fill(returned);
  await page.getByLabel(/^退回原因/).fill('应急电话缺失 the emergency line is missing');
  await page.getByRole('button', { name: /退回 Return/ }).click();
  await page.waitForSelector(`#status.done:has-text("Returned: ${returned}")`);
  // The generator fixes it by revision (as on the clerk's page)...
  let { items } = await api(server, state.generatorToken, 'GET', `/v1/inbox?party=${ids.generator}`);
  assert.ok(items.some((i) => i.task === 'TASK_FIX_RETURN' && i.number === returned), JSON.stringify(items));
  await api(server, state.generatorToken, 'POST', `/v1/manifests/${returned}:proposeRevision`, {
    meta: meta(), by: ids.generator, changes: [{ field: 'dispatch.emergency_phone', oldValue: '', newValue: '0573-82000000' }], reason: '补充应急电话',
  });
  // ... and the office confirms.
  await page.reload();
  const fixed = page.locator(`#corrections tr[data-task="TASK_CONFIRM_RETURN"][data-number="${returned}"]`);
  await fixed.getByLabel(/Note on/).fill('已补正');
  await screenshot(page, '7-regulator-corrections');
  await fixed.getByRole('button', { name: /确认 Confirm/ }).click();
  await page.waitForSelector(`#status.done:has-text("Return confirmed: ${returned}")`);
  ({ manifest } = await api(server, state.regulatorToken, 'GET', `/v1/manifests/${returned}`));
  assert.deepEqual(manifest.returns.map((r) => [r.confirmed, r.confirmNote]), [[true, '已补正']]);
  ({ items } = await api(server, state.regulatorToken, 'GET', '/v1/inbox'));
  assert.deepEqual(items.filter((i) => i.number === returned || i.number === onRoad).map((i) => i.task), []);
  assert.deepEqual(await accessibilityProblems(page), []);
  noErrors(page);
});

test('the clerk reads the plan, sees a shipment off it, and files it again', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.generatorToken);
  await page.goto(`${server.url}/clerk.html`);
  await page.waitForSelector(`#plan-number:has-text("${state.plan}")`);
  // A manifest under the plan to Hangzhou, which the plan does not name:
  // it opens, flagged, and shows as shipped where nothing was planned.
  const { manifest } = await api(server, state.generatorToken, 'POST', '/v1/manifests', {
    meta: meta(), generator: ids.generator, carrier: ids.carrier, receiver: ids.hangzhou, method: 'D10',
    lines: [{ code: '900-249-08', quantityG: '500000', packaging: '桶', packageCount: 2 }],
    dispatch: { planNumber: state.plan },
  });
  assert.ok(manifest.flags.some((f) => f.kind === 'FLAG_KIND_PLAN_DEVIATION'), JSON.stringify(manifest.flags));
  await page.reload();
  const row = page.locator(`#plan-progress tr[data-receiver="${ids.hangzhou}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /未计划 not planned.*500\.0 kg/);
  assert.equal(await row.locator('td.bad').count(), 1);
  // Filed again with Hangzhou planned: unbalanced first, refused naming
  // the line, and the plan unchanged.
  await page.getByLabel(/^废物 Lines/).fill('900-249-08 20t 0 5t');
  await page.getByLabel(/^计划转移 Transfers/).fill(`900-249-08 ${ids.receiver} 10t D10\n900-249-08 ${ids.hangzhou} 4t`);
  await page.getByRole('button', { name: /备案 File the plan/ }).click();
  await page.waitForSelector('#status.error:has-text("plan.lines[0] does not balance")');
  let { plan } = await api(server, state.generatorToken, 'GET', `/v1/plans?number=${state.plan}`);
  assert.equal(plan.version, 1);
  await page.getByLabel(/^废物 Lines/).fill('900-249-08 20t 0 6t');
  await page.getByRole('button', { name: /备案 File the plan/ }).click();
  await page.waitForSelector(`#status.done:has-text("Plan filed: ${state.plan} (version 2)")`);
  await page.waitForSelector(`#plan-progress tr[data-receiver="${ids.hangzhou}"] td:has-text("4.000 t")`);
  assert.match(await row.textContent(), /4\.000 t.*500\.0 kg.*13%/);
  ({ plan } = await api(server, state.generatorToken, 'GET', `/v1/plans?number=${state.plan}`));
  assert.equal(plan.version, 2);
  const refused = page.errors.filter((e) => /status of 400/.test(e));
  assert.equal(refused.length, 1, JSON.stringify(page.errors));
  page.errors = page.errors.filter((e) => !refused.includes(e));
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '9-clerk-plan');
  noErrors(page);
});

test('the two bureaus run a cross-province consultation from the regulator\'s page', async () => {
  // A receiver in Jiangsu, licensed; the generator's clerk applies on its
  // page.
  const suzhou = uscc('91320506MA2K7R8T9');
  const admin = server.admin;
  await api(server, admin, 'POST', '/v1/enterprises',
    { meta: meta(), id: suzhou, name: '苏州吴中固废处置', division: '320506', roles: ['ROLE_RECEIVER'] });
  await api(server, admin, 'POST', `/v1/enterprises/${suzhou}/licences`, {
    meta: meta(), licence: { number: 'JS-0506', codes: ['HW08'], capacityKg: '5000000', validUntil: '2099-12-31' },
  });
  const jiangsuToken = await state.issue({ kind: 'CREDENTIAL_KIND_REGULATOR', jurisdiction: '32', holder: '江苏省生态环境厅' });
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const until = new Date(Date.now() + 8 * 3600 * 1000 + 200 * 86400 * 1000).toISOString().slice(0, 10);
  const browser = await launch();
  browsers.push(browser);
  const clerk = await newPage(browser, DESK);
  await signIn(clerk, state.generatorToken);
  await clerk.goto(`${server.url}/clerk.html`);
  await clerk.getByLabel(/^接受单位/).fill(suzhou);
  await clerk.getByLabel(/^废物代码或类别/).fill('900-249-08');
  await clerk.getByLabel(/^方式/).fill('R9');
  await clerk.getByLabel(/^数量（吨）/).fill('120');
  await clerk.getByLabel(/^自/).fill(today);
  await clerk.getByLabel(/^至/).fill(until);
  await clerk.getByRole('button', { name: /申请 Apply/ }).click();
  await clerk.waitForSelector('#status.done:has-text("Applied: ")', { timeout: 120000 });
  const { consultations } = await api(server, state.generatorToken, 'GET', `/v1/consultations?generator=${ids.generator}`);
  assert.equal(consultations.length, 1);
  const { number } = consultations[0];
  assert.equal(consultations[0].stage, 'CONSULTATION_STAGE_APPLIED');
  assert.equal(consultations[0].application.quantityKg, '120000');
  await clerk.waitForSelector(`#consultations tr[data-number="${number}"]:has-text("APPLIED")`);
  noErrors(clerk);

  const page = await newPage(browser, DESK);
  // Zhejiang's bureau accepts it and sends the letter.
  await signIn(page, state.provinceToken);
  await page.goto(`${server.url}/regulator.html`);
  let row = page.locator(`#consultations tr[data-number="${number}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /APPLIED/);
  await row.getByRole('button', { name: /受理 Accept/ }).click();
  await page.waitForSelector(`#status.done:has-text("${number}: REVIEW")`, { timeout: 120000 });
  row = page.locator(`#consultations tr[data-number="${number}"][data-stage="CONSULTATION_STAGE_REVIEW"]`);
  // Refusing needs the reasons: refused in the page, nothing sent.
  await row.getByRole('button', { name: /不予批准 Refuse/ }).click();
  await page.waitForSelector('#status.error:has-text("text")', { timeout: 120000 });
  await row.getByLabel(/Text for/).fill('初审同意移出');
  await row.getByRole('button', { name: /发送商请函/ }).click();
  await page.waitForSelector(`#status.done:has-text("${number}: CONSULTING")`, { timeout: 120000 });
  // Held by Jiangsu now: not in Zhejiang's own list.
  await page.locator(`#consultations tr[data-number="${number}"]`).waitFor({ state: 'detached' });

  // Jiangsu's bureau agrees on its own page.
  const jiangsu = await newPage(browser, DESK);
  await signIn(jiangsu, jiangsuToken);
  await jiangsu.goto(`${server.url}/regulator.html`);
  row = jiangsu.locator(`#consultations tr[data-number="${number}"]`);
  await row.waitFor();
  await screenshot(jiangsu, '8-regulator-consultation');
  await row.getByRole('button', { name: /同意接收 Agree/ }).click();
  await jiangsu.waitForSelector(`#status.done:has-text("${number}: DECISION")`, { timeout: 120000 });
  noErrors(jiangsu);

  // Zhejiang approves.
  await page.reload();
  row = page.locator(`#consultations tr[data-number="${number}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: /^批准 Approve/ }).click();
  await page.waitForSelector(`#status.done:has-text("${number}: APPROVED")`, { timeout: 120000 });
  const { consultation: done } = await api(server, jiangsuToken, 'GET', `/v1/consultations/${number}`);
  assert.deepEqual(done.steps.map((s) => [s.action, s.by]), [
    ['CONSULTATION_ACTION_APPLY', ids.generator],
    ['CONSULTATION_ACTION_ACCEPT', 'regulator:33'],
    ['CONSULTATION_ACTION_SEND_LETTER', 'regulator:33'],
    ['CONSULTATION_ACTION_AGREE', 'regulator:32'],
    ['CONSULTATION_ACTION_APPROVE', 'regulator:33'],
  ]);
  assert.equal(done.approval.number, number);
  // The clerk sees it approved.
  await clerk.reload();
  await clerk.waitForSelector(`#consultations tr[data-number="${number}"]:has-text("APPROVED")`);
  assert.deepEqual(await accessibilityProblems(clerk), []);
  assert.deepEqual(await accessibilityProblems(page), []);
  noErrors(page);
});

test('the clerk completes an application the bureau found incomplete, and withdraws another', async () => {
  const wuxi = uscc('91320211MA2L8M9N0');
  await api(server, server.admin, 'POST', '/v1/enterprises',
    { meta: meta(), id: wuxi, name: '无锡滨湖资源利用', division: '320211', roles: ['ROLE_RECEIVER'] });
  await api(server, server.admin, 'POST', `/v1/enterprises/${wuxi}/licences`, {
    meta: meta(), licence: { number: 'JS-0211', codes: ['HW08'], capacityKg: '5000000', validUntil: '2099-12-31' },
  });
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const until = new Date(Date.now() + 8 * 3600 * 1000 + 100 * 86400 * 1000).toISOString().slice(0, 10);
  const applyFor = async (tonnes) => (await api(server, state.generatorToken, 'POST', '/v1/consultations', {
    meta: meta(),
    application: {
      generator: ids.generator, receiver: wuxi, codes: ['900-249-08'], method: 'R9',
      quantityKg: String(tonnes * 1000), validFrom: today, validUntil: until,
    },
  })).consultation.number;
  const first = await applyFor(80);
  const second = await applyFor(30);
  // Zhejiang finds the first incomplete: one notice of everything missing.
  await api(server, state.provinceToken, 'POST', `/v1/consultations/${first}:act`, {
    meta: meta(), number: first, action: 'CONSULTATION_ACTION_NOTIFY_MISSING', text: '缺接受单位经营许可证复印件',
  });

  const browser = await launch();
  browsers.push(browser);
  const clerk = await newPage(browser, DESK);
  await signIn(clerk, state.generatorToken);
  await clerk.goto(`${server.url}/clerk.html`);
  let row = clerk.locator(`#consultations tr[data-number="${first}"][data-stage="CONSULTATION_STAGE_INCOMPLETE"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /缺接受单位经营许可证复印件/);
  // The application comes back on the form; amended, it goes back to the bureau.
  await row.getByRole('button', { name: /补正 Complete/ }).click();
  assert.equal(await clerk.getByLabel(/^接受单位/).inputValue(), wuxi);
  assert.equal(await clerk.getByLabel(/^数量（吨）/).inputValue(), '80');
  await clerk.getByLabel(/^数量（吨）/).fill('75');
  await clerk.getByLabel(/^说明/).fill('已补经营许可证复印件');
  await clerk.getByRole('button', { name: new RegExp(`Submit the completion of ${first}`) }).click();
  await clerk.waitForSelector(`#status.done:has-text("Completed: ${first}")`, { timeout: 120000 });
  const { consultation: completed } = await api(server, state.generatorToken, 'GET', `/v1/consultations/${first}`);
  assert.equal(completed.stage, 'CONSULTATION_STAGE_APPLIED');
  assert.equal(completed.application.quantityKg, '75000');
  assert.equal(completed.application.note, '已补经营许可证复印件');
  // The next submit applies again.
  await clerk.getByRole('button', { name: /^申请 Apply$/ }).waitFor();

  // The second, withdrawn before any decision.
  row = clerk.locator(`#consultations tr[data-number="${second}"]`);
  await row.getByRole('button', { name: /撤回 Withdraw/ }).click();
  await clerk.waitForSelector(`#status.done:has-text("${second}: WITHDRAWN")`, { timeout: 120000 });
  const { consultation: withdrawn } = await api(server, state.generatorToken, 'GET', `/v1/consultations/${second}`);
  assert.equal(withdrawn.stage, 'CONSULTATION_STAGE_WITHDRAWN');
  await clerk.locator(`#consultations tr[data-number="${second}"] button`).waitFor({ state: 'detached' });
  assert.deepEqual(await accessibilityProblems(clerk), []);
  noErrors(clerk);
});

test('the clerk books a drum into storage and reads the stock ledger', async () => {
  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  await signIn(page, state.generatorToken);
  await page.goto(`${server.url}/clerk.html`);
  // The ledger so far: the first drum shipped from 贮存库1, the second
  // registered on the page and never booked in.
  const shippedRow = page.locator('#stock-balances tr[data-facility="贮存库1"]');
  await shippedRow.waitFor();
  assert.match(await shippedRow.textContent(), /900-249-08.*1.*1\.000 t.*0\.0 kg.*1\.000 t.*0\.0 kg \(0\)/);
  const unstored = page.locator('#stock-balances tr[data-facility=""]');
  assert.match(await unstored.textContent(), /未入库.*200\.0 kg \(1\)/);
  assert.equal(await unstored.locator('td.bad').count(), 1);

  // A third drum, registered and booked in from its row; without a
  // facility it is refused naming the field, and nothing is recorded.
  const drum = page.locator('#drum');
  await drum.getByLabel(/^废物代码/).fill('900-249-08');
  await drum.getByLabel(/^重量/).fill('150kg');
  await drum.getByLabel(/^当日序号/).fill('3');
  await page.getByRole('button', { name: /登记容器/ }).click();
  await page.waitForSelector('#status.done:has-text("Container registered")', { timeout: 120000 });
  const drum3 = state.drum.replace(/001$/, '003');
  await page.getByLabel(/^贮存设施/).fill('');
  await page.getByRole('button', { name: `入库 Store ${drum3}` }).click();
  await page.waitForSelector('#status.error:has-text("record.facility")', { timeout: 120000 });
  let { container } = await api(server, state.generatorToken, 'GET', `/v1/containers/${drum3}`);
  assert.notEqual(container.stock, 'STOCK_STATE_STORED');
  assert.ok(!(container.records || []).some((r) => r.move === 'STOCK_MOVE_STORED'), JSON.stringify(container));
  await page.getByLabel(/^贮存设施/).fill('贮存库2');
  await page.getByRole('button', { name: `入库 Store ${drum3}` }).click();
  await page.waitForSelector(`#status.done:has-text("Stored: ${drum3} in 贮存库2")`, { timeout: 120000 });
  ({ container } = await api(server, state.generatorToken, 'GET', `/v1/containers/${drum3}`));
  assert.equal(container.stock, 'STOCK_STATE_STORED');
  assert.equal(container.facility, '贮存库2');
  const storedRow = page.locator('#stock-balances tr[data-facility="贮存库2"]');
  await storedRow.waitFor();
  assert.match(await storedRow.textContent(), /900-249-08.*150\.0 kg.*150\.0 kg \(1\)/);
  // Booking it into the same place again is refused, naming why.
  await page.getByRole('button', { name: `入库 Store ${drum3}` }).click();
  await page.waitForSelector('#status.error:has-text("already in 贮存库2")', { timeout: 120000 });
  assert.equal(await page.locator('#collection').isVisible(), false);
  const refused = page.errors.filter((e) => /status of 400|status of 412|status of 409/.test(e));
  assert.equal(refused.length, 2, JSON.stringify(page.errors));
  page.errors = page.errors.filter((e) => !refused.includes(e));
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '15-clerk-stock');
  noErrors(page);
});

test('a collector reads on its page what it collected and where it went', async () => {
  // A collector of small generators (docs/COLLECTION.md) collects one drum
  // from the generator and refills it into a bag of its own, 1 kg short as
  // documented residue; all of it through the API as the parties' devices
  // would.
  const admin = server.admin;
  const collector = uscc('91330411MA2F6K7L8');
  await api(server, admin, 'POST', '/v1/enterprises', {
    meta: meta(), id: collector, name: '嘉兴秀洲危废收集', division: '330411', roles: ['ROLE_RECEIVER', 'ROLE_COLLECTOR'],
  });
  await api(server, admin, 'POST', `/v1/enterprises/${collector}/licences`, {
    meta: meta(), licence: { number: 'ZJ-SJ-0411', codes: ['HW08'], capacityKg: '500000', validUntil: '2027-12-31' },
  });
  const carrierKey = newKey();
  const receiverKey = newKey();
  const carrier = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: ids.carrier, role: 'ROLE_TRANSPORTER', holder: '司机 赵磊', publicKey: carrierKey.publicBase64 });
  const receiving = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: collector, role: 'ROLE_RECEIVER', holder: '收集员 钱敏', publicKey: receiverKey.publicBase64 });
  const collecting = await state.issue({ kind: 'CREDENTIAL_KIND_PARTY', enterprise: collector, role: 'ROLE_COLLECTOR', holder: '收集站 孙丽' });
  const drum = state.drum.replace(/001$/, '004');
  await api(server, state.generatorToken, 'POST', '/v1/containers', {
    meta: meta(), container: { code: drum, generator: ids.generator, wasteCode: '900-249-08', weightG: '100000', packaging: '桶' },
  });
  await api(server, state.generatorToken, 'POST', '/v1/stock', {
    meta: meta(), record: { code: drum, move: 'STOCK_MOVE_STORED', facility: '贮存库1' },
  });
  const { manifest } = await api(server, state.generatorToken, 'POST', '/v1/manifests', {
    meta: meta(), generator: ids.generator, carrier: ids.carrier, receiver: collector, method: 'D10',
    lines: [{ code: '900-249-08', quantityG: '100000', packaging: '桶', packageCount: 1, containers: [drum] }],
  });
  const n = manifest.number;
  await signedApi(server, carrier, carrierKey, `/v1/manifests/${n}:pickup`, { meta: meta(), carrier: ids.carrier, vehicle: PLATE });
  await signedApi(server, receiving, receiverKey, `/v1/manifests/${n}:deliver`, { meta: meta(), receiver: collector });
  const received = await signedApi(server, receiving, receiverKey, `/v1/manifests/${n}:receive`, {
    meta: meta(), receiver: collector, lines: [{ line: 1, decision: 'DECISION_ACCEPT', quantityG: '100000' }],
  });
  assert.equal(received.manifest.status, 'MANIFEST_STATUS_CLOSED');
  const bag = `${collector}90024908${drum.slice(26, 34)}001`;
  await api(server, collecting, 'POST', '/v1/containers', {
    meta: meta(),
    container: {
      code: bag, generator: collector, wasteCode: '900-249-08', weightG: '99000', packaging: '吨袋',
      sources: [drum], lossG: '1000', lossReason: '残留于原包装桶',
    },
  });

  const browser = await launch();
  browsers.push(browser);
  const page = await newPage(browser, DESK);
  const missing = [];
  page.on('response', (r) => { if (r.status() === 404) missing.push(new URL(r.url()).pathname); });
  await signIn(page, collecting);
  await page.goto(`${server.url}/clerk.html`);
  const row = page.locator('#collection-balances tr[data-code="900-249-08"]');
  await row.waitFor();
  assert.equal(await page.locator('#collection').isVisible(), true);
  const cells = await row.locator('td').allTextContents();
  assert.deepEqual(cells, ['900-249-08', '1', '100.0 kg', '0.0 kg', '99.0 kg', '1.0 kg', '0.0 kg', '0.0 kg']);
  // The manifest closed at its receipt: nothing waits on it to dispose of.
  await page.waitForSelector(`#inbox td:has-text("${n}")`);
  assert.doesNotMatch(await page.locator('#tasks').textContent(), new RegExp(n));
  // Its own bag is in its stock ledger, not yet booked into storage.
  assert.match(await page.locator('#stock-balances tr[data-facility=""]').textContent(), /99\.0 kg \(1\)/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await screenshot(page, '16-collector-stock');
  // It filed no management plan: the API answers 404, which the page shows
  // as such, and the browser logs as it logs every 404.
  await page.waitForSelector('#plan:has-text("No plan filed")');
  assert.deepEqual(missing, ['/v1/plans']);
  const noPlan = page.errors.filter((e) => /status of 404/.test(e));
  assert.equal(noPlan.length, 1, JSON.stringify(page.errors));
  page.errors = page.errors.filter((e) => !noPlan.includes(e));
  noErrors(page);
});
