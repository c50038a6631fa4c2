import {
  guarded, makeSigningKey, publicKeyHex, setToken, showDone, showError,
  signingKey, token, whoAmI,
} from './cradle.js';

async function showWho() {
  const out = document.getElementById('signed-in');
  if (!token()) {
    out.textContent = '未登录 Not signed in';
    return;
  }
  try {
    const who = await whoAmI();
    const role = who.role ? who.role.replace('ROLE_', '').toLowerCase() : '';
    out.textContent = `已登录 Signed in: ${who.kind.replace('CREDENTIAL_KIND_', '').toLowerCase()} ${who.enterprise || who.jurisdiction || ''} ${role} (${who.holder || who.id})`;
  } catch (e) {
    showError(e);
  }
}

async function showKey() {
  const pair = await signingKey();
  document.getElementById('pubkey').textContent = pair ? await publicKeyHex(pair) : '—';
}

document.getElementById('signin').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  // The token is a secret: it is kept, not left on the screen.
  const field = document.getElementById('token');
  setToken(field.value);
  field.value = '';
  await guarded(ev.submitter, async () => {
    const who = await whoAmI();
    showDone(`已登录 Signed in as ${who.enterprise || who.jurisdiction || who.kind}`);
    const next = new URLSearchParams(location.search).get('next');
    if (next && next.startsWith('/') && !next.startsWith('//')) location.href = next;
  });
  await showWho();
});

document.getElementById('signout').addEventListener('click', () => {
  setToken('');
  showWho();
});

document.getElementById('makekey').addEventListener('click', (ev) =>
  guarded(ev.target, async () => {
    if (await signingKey()) {
      if (!confirm('替换本设备的密钥？已签发的凭证将无法使用。Replace this device\'s key? Credentials issued for the old one will stop working.')) return;
    }
    await makeSigningKey();
    await showKey();
    showDone('密钥已生成 Key made: give the public key to your administrator.');
  }));

showWho();
showKey();
