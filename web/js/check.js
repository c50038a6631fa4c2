import {
  STATUS, el, get, guarded, showError,
} from './cradle.js';
import { Scanner } from './scanner.js';
import { SealError, parseSeal, verifySeal } from './seal.js';

const KEY = 'cradle.province-key';
let scanner = null;

// The province server's public key: fetched once while online (GET
// /v1/publicKey needs no sign-in) and kept, so later checks need no
// network.
async function provinceKey() {
  let key = localStorage.getItem(KEY);
  if (!key) {
    try {
      ({ publicKey: key } = await get('/v1/publicKey'));
      localStorage.setItem(KEY, key);
    } catch (e) {
      key = '';
    }
  }
  document.getElementById('key').textContent = key || '— 未获取 not fetched yet (go online once)';
  return key;
}

async function check(text) {
  const result = document.getElementById('result');
  let seal;
  try {
    seal = parseSeal(text);
  } catch (e) {
    if (!(e instanceof SealError)) throw e;
    result.replaceChildren(el('p', { class: 'bad', id: 'verdict' }, `✗ 不是有效的联单二维码 Not a manifest seal: ${e.message}`));
    return;
  }
  const key = await provinceKey();
  if (!key) throw new Error('没有服务器公钥 No server key: open this page online once');
  const genuine = await verifySeal(seal, key);
  const status = STATUS[`MANIFEST_STATUS_${seal.status}`] || seal.status;
  result.replaceChildren(
    el('p', { class: genuine ? 'ok' : 'bad', id: 'verdict' }, genuine
      ? '✓ 真实：由本省服务器签发 Genuine: sealed by this province\'s server'
      : '✗ 签名不符：纸质联单被改动或非本省签发 Not genuine: the paper was altered or sealed elsewhere'),
    el('table', {}, el('tbody', {},
      el('tr', {}, el('th', { scope: 'row' }, '联单号 Manifest'), el('td', { class: 'mono', id: 'seal-number' }, seal.number)),
      el('tr', {}, el('th', { scope: 'row' }, '封印时状态 Status when sealed'), el('td', {}, status)),
      el('tr', {}, el('th', { scope: 'row' }, '版本 Version'), el('td', {}, String(seal.version))),
      el('tr', {}, el('th', { scope: 'row' }, '封印时间 Sealed at'), el('td', {}, seal.signedAt.toLocaleString('zh-CN'))))),
    el('p', {}, '是否为最新状态，需联网登录后查询。Whether it is still current needs an online check by a signed-in officer.'));
}

document.getElementById('paste').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guarded(ev.submitter, () => check(document.getElementById('text').value));
});
document.getElementById('scan').addEventListener('click', (ev) => guarded(ev.target, async () => {
  const video = document.getElementById('video');
  video.classList.remove('hidden');
  scanner = new Scanner(video, (text) => {
    document.getElementById('text').value = text;
    check(text).catch(showError);
  });
  await scanner.start();
}));
document.getElementById('stop').addEventListener('click', () => {
  if (scanner) scanner.stop();
  document.getElementById('video').classList.add('hidden');
});
provinceKey();
