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
  '/widget.js': path.join(PUBLIC, 'widget.js'),
  '/widget.css': path.join(PUBLIC, 'widget.css'),
  '/demo.js': path.join(PUBLIC, 'demo.js'),
  '/demo.css': path.join(PUBLIC, 'demo.css'),
};

export function webRoutes(app: App, ctx: AppContext) {
  const served = new Map<string, { body: Buffer; type: string }>();
  for (const [url, file] of Object.entries(FILES))
    served.set(url, { body: fs.readFileSync(file), type: TYPES[path.extname(file)] });
  const index = fs.readFileSync(path.join(PUBLIC, 'index.html'));
  const send = (body: Buffer, type: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'no-cache').send(body);

  // `/link?code=...` is where a brand sends a customer to link their account: the same page handles it.
  for (const url of ['/', '/link']) app.get(url, { schema: { hide: true } }, send(index, TYPES['.html']));
  for (const [url, f] of served) app.get(url, { schema: { hide: true } }, send(f.body, f.type));

  widgetApi(app, ctx);
  demoShopRoutes(app, ctx);
}

/** A file of an installed package (uPlot's script and style for the console's plots). */
export const packageFile = (spec: string) => require.resolve(spec);
