/**
 * Calls Confidant makes to addresses a brand chose (webhooks): never to loopback, link-local, private or reserved
 * addresses (blind SSRF: `http://169.254.169.254/...` is a cloud's metadata service), unless the operator allows it
 * for development with `CONFIDANT_ALLOW_PRIVATE_URLS=1`. A URL is checked when it is set (`checkWebhookUrl`), and
 * every call goes through `request-filtering-agent` (`safePost`), which checks the address each DNS lookup answers,
 * so a name that resolves (or later rebinds) to a private address is refused at call time too.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { AppError } from './errors.js';

export interface OutboundOptions {
  /** Allow loopback and private addresses (development, tests with loopback receivers). */
  allowPrivate?: boolean;
}

/** The operator's setting: `CONFIDANT_ALLOW_PRIVATE_URLS=1` lets webhooks reach loopback and private networks. */
export const privateUrlsAllowed = (env = process.env) => env.CONFIDANT_ALLOW_PRIVATE_URLS === '1';

const agents = {
  strict: { http: new RequestFilteringHttpAgent(), https: new RequestFilteringHttpsAgent() },
  open: {
    http: new RequestFilteringHttpAgent({ allowPrivateIPAddress: true }),
    https: new RequestFilteringHttpsAgent({ allowPrivateIPAddress: true }),
  },
};

/** The agent for a call to `url`: it refuses private and reserved addresses (unless allowed) after every DNS lookup. */
export function safeAgent(url: string | URL, opts: OutboundOptions = {}): http.Agent {
  const set = (opts.allowPrivate ?? privateUrlsAllowed()) ? agents.open : agents.strict;
  return new URL(url).protocol === 'https:' ? set.https : set.http;
}

/** Why an address may not be called, or undefined when it may (only public unicast addresses may). */
function refusal(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : `${address} is a ${range} address`;
}

const LOOKUP_MS = 2000;

/**
 * Checks a URL a brand gives for calls: absolute http(s), no credentials, and (unless allowed) a host that is not and
 * does not now resolve to a loopback, link-local, private or reserved address. A name that cannot be resolved now
 * is accepted: the agent checks again at every call. Throws `validation_failed` with `path`.
 */
export async function checkWebhookUrl(url: string, path: string, opts: OutboundOptions = {}): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_failed', 'the URL must be an absolute http(s) URL', path);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new AppError('validation_failed', 'the URL must be an http(s) URL', path);
  if (parsed.username || parsed.password)
    throw new AppError('validation_failed', 'the URL must not carry credentials; requests are signed instead', path);
  if (opts.allowPrivate ?? privateUrlsAllowed()) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const refuse = (why: string) =>
    new AppError(
      'validation_failed',
      `the URL may not point at a loopback, link-local or private address (${why}); an operator allows it for development with CONFIDANT_ALLOW_PRIVATE_URLS=1`,
      path,
    );
  if (ipaddr.isValid(host)) {
    const why = refusal(host);
    if (why) throw refuse(why);
    return parsed;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw refuse(`${host} is loopback`);
  const addresses = await Promise.race([
    dns.promises.lookup(host, { all: true }).catch(() => []),
    new Promise<dns.LookupAddress[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_MS).unref()),
  ]);
  for (const a of addresses) {
    const why = refusal(a.address);
    if (why) throw refuse(`${host} resolves to ${why.replace(/ is a /, ', a ')}`);
  }
  return parsed;
}

/**
 * POSTs `body` to `url` through the filtering agent, without following redirects, and answers the status. A refused
 * address, a network error or the timeout rejects.
 */
export function safePost(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: OutboundOptions & { timeoutMs?: number } = {},
): Promise<{ status: number }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        agent: safeAgent(target, opts),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} in ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
