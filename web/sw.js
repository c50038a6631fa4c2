// The driver's page works without a network: its files are kept in the
// browser's cache and served from it when the network is away. Calls to
// the API (/v1/) always go to the network; the page queues writes itself
// (js/queue.js).

const CACHE = 'cradle-driver-v1';
const SHELL = [
  '/driver.html', '/driver.webmanifest', '/css/cradle.css', '/js/cradle.js',
  '/js/driver.js', '/js/queue.js', '/js/scanner.js', '/js/seal.js',
  '/vendor/jsqr/jsQR.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) =>
    Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.pathname.startsWith('/v1/')) return;
  // The network first, so that a new version is picked up; the cache when
  // there is none.
  event.respondWith(fetch(event.request).then((res) => {
    const copy = res.clone();
    caches.open(CACHE).then((c) => c.put(event.request, copy));
    return res;
  }).catch(() => caches.match(event.request)));
});
