/** Helpers shared by the gatekeeper's tests: HTTP calls as a shopper or a brand would make them, over the real app. */
import type { LightMyRequestResponse } from 'fastify';
import type { TestSystem } from '../testing/harness.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One call to the app; `auth` is the whole Authorization header (or none), `cookie` a Cookie header. */
export function caller(sys: TestSystem) {
  return (
    method: Method,
    url: string,
    opts: { auth?: string; cookie?: string; body?: unknown } = {},
  ): Promise<LightMyRequestResponse> =>
    sys.app.inject({
      method,
      url,
      headers: { ...(opts.auth ? { authorization: opts.auth } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
}

/** A fact the shopper states by hand, through their own API; returns its id. */
export async function stateFact(
  sys: TestSystem,
  token: string,
  fact: { about?: string; kind: string; value: unknown; polarity?: string },
): Promise<string> {
  const r = await caller(sys)('POST', '/v1/me/profile/facts', { auth: `Bearer ${token}`, body: fact });
  if (r.statusCode !== 201) throw new Error(`stating ${JSON.stringify(fact)}: ${r.statusCode} ${r.body}`);
  return r.json().id;
}

/** The shopper grants a brand scopes for purposes through their own API. */
export async function putGrant(
  sys: TestSystem,
  token: string,
  g: { brand: string; scopes: string[] | 'all'; purposes: string[]; expires_at?: string; how?: string },
) {
  const r = await caller(sys)('PUT', '/v1/me/grants', { auth: `Bearer ${token}`, body: g });
  if (r.statusCode !== 200) throw new Error(`granting ${JSON.stringify(g)}: ${r.statusCode} ${r.body}`);
  return r.json().grants as Array<{
    brand: { slug: string };
    scope: string;
    purpose: string;
    explicit: boolean;
    status: string;
  }>;
}

/** What a brand reads about a person for a purpose: the status and the fact values it got. */
export async function brandReads(sys: TestSystem, secretKey: string, pid: string, purpose: string) {
  const r = await caller(sys)('GET', `/v1/people/${encodeURIComponent(pid)}/profile?purpose=${purpose}`, {
    auth: `Bearer ${secretKey}`,
  });
  return {
    status: r.statusCode,
    body: r.body,
    facts:
      r.statusCode === 200
        ? (r.json().facts as Array<{ scope: string; value: unknown; text: string; source: string; at: string }>)
        : [],
  };
}
