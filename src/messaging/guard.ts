/**
 * The creepiness guard. A message's text references the person's facts by placeholders: `{{fact.like:dad}}` (kind,
 * and whom it is about; `self` when left out) or, from Confidant's own triggers, `{{fact:<id>}}`. Each is looked up
 * in the brand's view for the message's purpose (the gatekeeper: grants, special categories only on their own
 * explicit grant, uses the person retired), then held against the trust between person and brand and the uses the
 * person called too creepy. The first variant whose facts all pass is sent; a fact that does not pass is removed
 * (with its reason), and when no variant is left the message is not sent.
 */
import type { AppContext } from '../context.js';
import { viewFor } from '../gatekeeper/index.js';
import type { Purpose } from '../gatekeeper/view.js';
import { describeFact, type StoredFact } from '../profile/facts.js';
import { factUseRetired, TRUST_ORDER, type TrustLevel, trustLevel } from './trust.js';

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const FACT_REF = /^fact(?::([0-9a-f-]{36})|\.([a-z_]+)(?::([\w .'-]+))?)$/i;

export interface FactUse {
  /** the placeholder as written */
  ref: string;
  fact_id?: string;
  description?: string;
  reason?: 'not_shared' | 'trust' | 'retired';
  explanation?: string;
}

export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
export const isFactRef = (p: string) => FACT_REF.test(p);

/** What a fact says in a message: "fly fishing", "June 3", "keto". */
function valueText(f: StoredFact): string {
  const v = f.value as Record<string, unknown> | string;
  if (typeof v === 'string') return v.replace(/_/g, ' ');
  if (f.kind === 'date') {
    const d = v as { month?: number; day?: number };
    const month = d.month ? new Date(Date.UTC(2000, d.month - 1, 1)).toLocaleString('en-US', { month: 'long' }) : '';
    return `${month}${d.day ? ` ${d.day}` : ''}`.trim();
  }
  if (f.kind === 'size') return String((v as { size?: string }).size ?? describeFact(f));
  return describeFact(f);
}

/** Which trust a fact's sensitivity needs before a brand may bring it up in a message. */
export function trustNeeded(f: Pick<StoredFact, 'sensitivity'>): TrustLevel {
  return f.sensitivity === 'low' ? 'new' : 'medium';
}

export const gatekeeperPurpose = (purpose: string): Purpose => (purpose === 'marketing' ? 'marketing' : 'service');

export interface GuardResult {
  /** index of the variant chosen, or null when none may be sent */
  variant: number | null;
  text: string | null;
  subject: string | null;
  kept: FactUse[];
  removed: FactUse[];
  reason: string;
}

export async function guard(
  ctx: Pick<AppContext, 'db' | 'now'>,
  m: {
    brandId: number;
    brandName: string;
    personId: string;
    purpose: string;
    variants: string[];
    subject: string | null;
    data: Record<string, unknown>;
  },
): Promise<GuardResult> {
  const all = [...m.variants, m.subject ?? ''];
  const refs = [...new Set(all.flatMap(placeholders).filter(isFactRef))];
  const fill = (text: string, facts: Map<string, StoredFact>) =>
    text.replace(PLACEHOLDER, (_, p: string) => (facts.has(p) ? valueText(facts.get(p)!) : String(m.data[p] ?? '')));
  if (refs.length === 0) {
    const none = new Map<string, StoredFact>();
    return {
      variant: 0,
      text: fill(m.variants[0], none),
      subject: m.subject === null ? null : fill(m.subject, none),
      kept: [],
      removed: [],
      reason: 'the message references none of the person’s facts',
    };
  }
  const purpose = gatekeeperPurpose(m.purpose);
  const [view, trust] = await Promise.all([
    viewFor(ctx.db, {
      viewer: { brand: m.brandId },
      person: { id: m.personId },
      purpose,
      call: 'message',
      action: 'use_in_message',
      at: ctx.now(),
      inTransaction: false,
    }),
    trustLevel(ctx.db, m.personId, m.brandId, ctx.now()),
  ]);
  const ok = new Map<string, StoredFact>();
  const failed = new Map<string, FactUse>();
  for (const ref of refs) {
    const [, id, kind, about] = FACT_REF.exec(ref)!;
    const fact = view.facts.find((f) =>
      id ? f.id === id : f.kind === kind.toLowerCase() && f.about.toLowerCase() === (about ?? 'self').toLowerCase(),
    );
    if (!fact) {
      failed.set(ref, {
        ref,
        reason: 'not_shared',
        explanation: `not among what the person shares with ${m.brandName} for ${purpose}`,
      });
      continue;
    }
    const need = trustNeeded(fact);
    if (TRUST_ORDER.indexOf(trust) < TRUST_ORDER.indexOf(need)) {
      failed.set(ref, {
        ref,
        fact_id: fact.id,
        reason: 'trust',
        explanation: `a ${fact.sensitivity} fact needs ${need} trust; between the person and ${m.brandName} it is ${trust}`,
      });
      continue;
    }
    if (await factUseRetired(ctx.db, m.personId, m.brandId, fact.id)) {
      failed.set(ref, {
        ref,
        fact_id: fact.id,
        reason: 'retired',
        explanation: `the person called this use of the fact by ${m.brandName} too creepy`,
      });
      continue;
    }
    ok.set(ref, fact);
  }
  const subjectOk = placeholders(m.subject ?? '').every((p) => !isFactRef(p) || ok.has(p));
  const variant = subjectOk
    ? m.variants.findIndex((v) => placeholders(v).every((p) => !isFactRef(p) || ok.has(p)))
    : -1;
  const removed = [...failed.values()];
  if (variant < 0) {
    return {
      variant: null,
      text: null,
      subject: null,
      kept: [],
      removed,
      reason: `every variant needs ${removed.map((r) => `{{${r.ref}}}`).join(', ')}: ${removed.map((r) => r.explanation).join('; ')}`,
    };
  }
  const used = placeholders(m.variants[variant])
    .concat(placeholders(m.subject ?? ''))
    .filter((p) => ok.has(p));
  const kept = [...new Set(used)].map((ref) => {
    const f = ok.get(ref)!;
    return { ref, fact_id: f.id, description: describeFact(f) };
  });
  return {
    variant,
    text: fill(m.variants[variant], ok),
    subject: m.subject === null ? null : fill(m.subject, ok),
    kept,
    removed,
    reason: removed.length
      ? `variant ${variant + 1} sent without ${removed.map((r) => `{{${r.ref}}}`).join(', ')} (${removed.map((r) => r.explanation).join('; ')})`
      : `every fact it references may be used (trust ${trust})`,
  };
}
