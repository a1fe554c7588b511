/**
 * `npm run bench:pages`: what a first visit costs in Chromium. For the shopper's page `/`, the console `/console`
 * and the widget (a blank page with the one script tag, and the demo shop `/demo/volt`), each in a fresh browser
 * context (nothing cached): the bytes fetched (raw, and gzipped as a compressing proxy would send them), the time
 * until the page can be used (its form or the widget's `confidant:ready`), main-thread task time and JS heap
 * (Chrome DevTools Protocol metrics). The baseline, measured in the same run, is an empty page from a bare
 * node:http server. Medians of RUNS loads each.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { benchSystem, fmt } from './lib.js';
import { createBrand } from '../src/brands/brands.js';
import { upsertProducts } from '../src/catalog/catalog.js';
import { saveWidgetSettings } from '../src/web/widget/settings.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const sys = await benchSystem();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let blank: http.Server | undefined;
try {
  const volt = await createBrand(sys.db, 'Volt', 'volt');
  await upsertProducts(sys.db, volt.id, JSON.parse(fs.readFileSync(path.join('src/demo/data/volt.json'), 'utf8')));
  const server = await sys.serve();

  // The baseline and the widget on an otherwise blank page: a bare server, apart from Confidant's.
  blank = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      req.url === '/widget'
        ? `<!doctype html><html lang="en"><title>shop</title><p>A shop.</p><script src="${server.url}/widget.js" data-brand="volt" async></script></html>`
        : '<!doctype html><html lang="en"><title>empty</title><p>Nothing here.</p></html>',
    );
  });
  await new Promise<void>((r) => blank!.listen(0, '127.0.0.1', r));
  const blankUrl = `http://127.0.0.1:${(blank.address() as { port: number }).port}`;
  // Volt lists the blank page's origin, as a shop lists its own site.
  await saveWidgetSettings(sys.db, volt.id, { allowedOrigins: [blankUrl] }, new Date());

  const widgetReady = (page: Page) =>
    page.waitForFunction(() => (window as unknown as { benchReady?: number }).benchReady !== undefined);
  const targets: Array<{ name: string; url: string; ready: (p: Page) => Promise<unknown> }> = [
    { name: 'empty page (baseline)', url: `${blankUrl}/`, ready: (p) => p.waitForLoadState('load') },
    { name: 'shopper page /', url: `${server.url}/`, ready: (p) => p.locator('#sign-in-form').waitFor() },
    { name: 'console /console', url: `${server.url}/console`, ready: (p) => p.locator('#sign-in-form').waitFor() },
    { name: 'widget on a blank page', url: `${blankUrl}/widget`, ready: widgetReady },
    { name: 'demo shop /demo/volt', url: `${server.url}/demo/volt`, ready: widgetReady },
  ];

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows: string[][] = [];
  let baseline = { ms: 0, task: 0 };
  for (const t of targets) {
    const ms: number[] = [];
    const task: number[] = [];
    const heap: number[] = [];
    let raw = 0;
    let gz = 0;
    let requests = 0;
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(() =>
        window.addEventListener('confidant:ready', () => {
          (window as unknown as { benchReady: number }).benchReady = performance.now();
        }),
      );
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const bodies: Promise<Buffer | null>[] = [];
      page.on('response', (r) => bodies.push(r.body().catch(() => null)));
      await page.goto(t.url);
      await t.ready(page);
      const at = await page.evaluate(
        () => (window as unknown as { benchReady?: number }).benchReady ?? performance.now(),
      );
      ms.push(at);
      const metrics = Object.fromEntries(
        ((await cdp.send('Performance.getMetrics')).metrics as Array<{ name: string; value: number }>).map((m) => [
          m.name,
          m.value,
        ]),
      );
      task.push(metrics.TaskDuration * 1000);
      heap.push(metrics.JSHeapUsedSize / 1024 / 1024);
      await page.waitForLoadState('networkidle');
      const got = (await Promise.all(bodies)).filter((b): b is Buffer => b !== null);
      if (i === 0) {
        requests = got.length;
        raw = got.reduce((n, b) => n + b.length, 0);
        gz = got.reduce((n, b) => n + zlib.gzipSync(b, { level: 9 }).length, 0);
      }
      await context.close();
    }
    const m = { ms: median(ms), task: median(task) };
    if (t.name.includes('baseline')) baseline = m;
    rows.push([
      t.name,
      String(requests),
      `${fmt(raw / 1024, 1)} KB`,
      `${fmt(gz / 1024, 1)} KB`,
      `${fmt(m.ms, 0)} ms (${fmt(m.ms / Math.max(1, baseline.ms), 1)}x)`,
      `${fmt(m.task, 0)} ms (${fmt(m.task / Math.max(1, baseline.task), 1)}x)`,
      `${fmt(median(heap), 1)} MB`,
    ]);
  }
  const head = ['page', 'requests', 'bytes', 'gzipped', 'usable after', 'main-thread task time', 'JS heap'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`First load in Chromium, fresh context each, median of ${RUNS} (ratios against the empty page):`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const widget = ['widget.js', 'widget.css'].map(
    (f) => zlib.gzipSync(fs.readFileSync(path.join('src/web/public', f)), { level: 9 }).length,
  );
  console.log(
    `The widget's own files gzipped: widget.js ${fmt(widget[0] / 1024, 1)} KB + widget.css ${fmt(widget[1] / 1024, 1)} KB (budget 50 KB)`,
  );
} finally {
  blank?.close();
  await browser.close();
  await sys.stop();
}
