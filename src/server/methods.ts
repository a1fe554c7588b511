import type { FastifyInstance } from 'fastify';

/**
 * Which methods a path has, for a 405 with `Allow` when it is called with another: collected from the routes as they
 * are added (`:param` matches one path segment, `*` the rest).
 */
export function allowedMethods(app: FastifyInstance): (url: string) => string[] {
  const routes: Array<{ re: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (r) => {
    if (r.url === '*' || r.url === '/*') return;
    const source = r.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    if (methods.length) routes.push({ re: new RegExp(`^${source}/?$`), methods });
  });
  return (url) => {
    const path = url.split('?')[0];
    const found = new Set<string>();
    for (const r of routes) if (r.re.test(path)) for (const m of r.methods) found.add(m);
    return [...found].sort();
  };
}
