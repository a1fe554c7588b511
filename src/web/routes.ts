/**
 * The shopper's own page: static files read once at start-up. The page calls the public API like any other
 * client, so it needs no routes of its own beyond these.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { App } from '../server/app.js';

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  // The service worker for web push (messaging): served from the root so its scope is the whole page.
  'sw.js': 'text/javascript; charset=utf-8',
} as const;

export function webRoutes(app: App) {
  const body = Object.fromEntries(
    Object.keys(FILES).map((name) => [name, fs.readFileSync(path.join(PUBLIC, name))]),
  ) as Record<keyof typeof FILES, Buffer>;
  const serve = (name: keyof typeof FILES) => async (_req: unknown, reply: FastifyReply) =>
    reply.type(FILES[name]).header('cache-control', 'no-cache').send(body[name]);
  // `/link?code=...` is where a brand sends a customer to link their account: the same page handles it.
  for (const url of ['/', '/link']) app.get(url, { schema: { hide: true } }, serve('index.html'));
  app.get('/app.js', { schema: { hide: true } }, serve('app.js'));
  app.get('/app.css', { schema: { hide: true } }, serve('app.css'));
  app.get('/sw.js', { schema: { hide: true } }, serve('sw.js'));
}
