// Confidant's service worker: shows a brand's web push message (already decrypted by the browser) and opens the
// shopper's page on a click. The page registers it and subscribes with the server's VAPID key (/v1/push/key).
self.addEventListener('push', (event) => {
  let m = {};
  try {
    m = event.data ? event.data.json() : {};
  } catch {
    m = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(m.title || 'Confidant', {
      body: m.body || '',
      tag: m.message_id,
      data: { url: m.brand ? `/?chat=${encodeURIComponent(m.brand)}` : '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data?.url || '/'));
});
