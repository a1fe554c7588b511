/**
 * Everything people see in a browser: the shopper's own page (`/`), the embeddable chat (`/widget.js` and its
 * API under `/v1/widget`), the demo shops (`/demo/{brand}`) and the brand console (`/console`). Static files are
 * read once at start-up; pages call the public API like any other client.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { widgetApi } from './widget/routes.js';
import { demoShopRoutes } from './demo/routes.js';
import { consoleApi } from './console/routes.js';

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Files served as they are, by URL. */
const FILES: Record<string, string> = {
  '/app.js': path.join(PUBLIC, 'app.js'),
  '/app.css': path.join(PUBLIC, 'app.css'),
  // The service worker for web push (messaging): served from the root so its scope is the whole page.
  '/sw.js': path.join(PUBLIC, 'sw.js'),
  '/widget.js': path.join(PUBLIC, 'widget.js'),
  '/widget.css': path.join(PUBLIC, 'widget.css'),
  '/demo.js': path.join(PUBLIC, 'demo.js'),
  '/demo.css': path.join(PUBLIC, 'demo.css'),
  '/console.js': path.join(PUBLIC, 'console.js'),
  '/console.css': path.join(PUBLIC, 'console.css'),
  // uPlot, as installed: the console's plots.
  '/vendor/uPlot.iife.min.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
  '/vendor/uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
};

export function webRoutes(app: App, ctx: AppContext) {
  const served = new Map<string, { body: Buffer; type: string }>();
  for (const [url, file] of Object.entries(FILES))
    served.set(url, { body: fs.readFileSync(file), type: TYPES[path.extname(file)] });
  const index = fs.readFileSync(path.join(PUBLIC, 'index.html'));
  const consolePage = fs.readFileSync(path.join(PUBLIC, 'console.html'));
  const send = (body: Buffer, type: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'no-cache').send(body);

  // `/link?code=...` is where a brand sends a customer to link their account: the same page handles it.
  for (const url of ['/', '/link']) app.get(url, { schema: { hide: true } }, send(index, TYPES['.html']));
  app.get('/console', { schema: { hide: true } }, send(consolePage, TYPES['.html']));
  // The widget's files are loaded by other sites' pages: they may be fetched cross-origin.
  const embedded = new Set(['/widget.js', '/widget.css']);
  for (const [url, f] of served)
    app.get(
      url,
      {
        schema: { hide: true },
        ...(embedded.has(url) ? { helmet: { crossOriginResourcePolicy: { policy: 'cross-origin' as const } } } : {}),
      },
      send(f.body, f.type),
    );

  widgetApi(app, ctx);
  demoShopRoutes(app, ctx);
  consoleApi(app, ctx);
}
