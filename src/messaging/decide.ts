/**
 * The rules every send goes through, in order, each outcome recorded with its reason:
 * 1. consent (marketing needs the person's grant; service answers their own question) and the channel (the person's
 *    preferred one when the brand lets Confidant choose); 2. opt-outs and the abuse pause; 3. quiet hours in the
 * person's zone (held until the window ends); 4. frequency caps per brand and channel per calendar day and week in
 * the person's zone (transactional exempt, and marked so); 5. the creepiness guard. Idempotency is settled before
 * (send.ts). The first rule that stops a message ends the decision.
 */
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { activeGrants } from '../gatekeeper/view.js';
import { lastAskedAt } from '../conversation/index.js';
import { calendarStarts, DEFAULT_QUIET, hhmm, quietUntil } from './calendar.js';
import { type FactUse, guard } from './guard.js';

export const MESSAGE_CHANNELS = ['chat', 'email', 'push', 'webhook'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
export const PURPOSES = ['service', 'marketing', 'transactional'] as const;
export type MessagePurpose = (typeof PURPOSES)[number];

/** The contact preference a message channel answers to: a webhook carries SMS or a messaging app ("no texts"). */
export const preferenceChannel = (c: MessageChannel) => (c === 'webhook' ? 'sms' : c);

/** Marketing sends allowed per brand and channel in a calendar day and week of the person's zone. */
export const CAPS = { day: 2, week: 5 };
/** How long after the person last wrote to a brand its message still answers them (service). */
export const SERVICE_WINDOW_DAYS = 7;
/** The order Confidant tries channels in when the brand lets it choose and the person has no preference. */
const CHOICE_ORDER: readonly MessageChannel[] = ['email', 'push', 'chat', 'webhook'];

export interface SendInput {
  brandId: number;
  personId: string;
  purpose: MessagePurpose;
  channel?: MessageChannel;
  /** variants in order of preference; the guard sends the first whose facts all pass */
  template?: { subject?: string; variants: string[] };
  text?: string;
  subject?: string;
  data?: Record<string, unknown>;
  idempotencyKey?: string;
  triggeredBy?: string;
}

export type RuleName = 'consent' | 'channel' | 'opt_out' | 'quiet_hours' | 'frequency_cap' | 'guard' | 'idempotency';
export interface RuleOutcome {
  rule: RuleName;
  outcome: 'pass' | 'suppress' | 'hold' | 'exempt';
  reason: string;
}

export interface Decision {
  state: 'queued' | 'held' | 'suppressed';
  channel: MessageChannel | null;
  rules: RuleOutcome[];
  suppressed: { rule: RuleName; reason: string } | null;
  dueAt: Date | null;
  heldUntil: Date | null;
  text: string | null;
  subject: string | null;
  kept: FactUse[];
  removed: FactUse[];
  capExempt: boolean;
  /** For a marketing send: where its cap is counted, so the count can be made again under a lock when it is stored. */
  cap: {
    channel: MessageChannel;
    starts: ReturnType<typeof calendarStarts>;
    timeZone: string;
    brandName: string;
  } | null;
}

/** What the rules need to know about the person and the brand, read in one round trip. */
interface Circumstances {
  timeZone: string;
  email: string | null;
  displayName: string | null;
  quietStart: number | null;
  quietEnd: number | null;
  preferred: MessageChannel | null;
  hasPush: boolean;
  linked: boolean;
  brandName: string;
  brandWebhook: boolean;
  stops: Array<{ brand: number; channel: string; stopped: boolean; paused: boolean }>;
}

async function circumstances(db: Queryable, personId: string, brandId: number): Promise<Circumstances | null> {
  const r = await db.query({
    name: 'messaging.circumstances',
    text: `SELECT p.time_zone AS "timeZone", p.email, p.display_name AS "displayName",
        s.quiet_start AS "quietStart", s.quiet_end AS "quietEnd", s.preferred_channel AS preferred,
        EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.person_id = p.id) AS "hasPush",
        EXISTS (SELECT 1 FROM brand_customers bc WHERE bc.person_id = p.id AND bc.brand_id = b.id AND bc.confirmed_at IS NOT NULL) AS linked,
        b.name AS "brandName", b.webhook_url IS NOT NULL AS "brandWebhook",
        (SELECT coalesce(json_agg(json_build_object('brand', cp.brand_id, 'channel', cp.channel,
           'stopped', cp.opted_out_at IS NOT NULL, 'paused', cp.paused_for_abuse_at IS NOT NULL)), '[]')
         FROM contact_preferences cp WHERE cp.person_id = p.id AND cp.brand_id IN (0, b.id)) AS stops
      FROM persons p JOIN brands b ON b.id = $2 LEFT JOIN contact_settings s ON s.person_id = p.id WHERE p.id = $1`,
    values: [personId, brandId],
  });
  return r.rows[0] ?? null;
}

const CHANNEL_WORDS: Record<MessageChannel, string> = {
  chat: 'chat',
  email: 'e-mail',
  push: 'push notifications',
  webhook: 'texts and messaging apps (webhook)',
};

/** Counts the marketing sends (done, in flight or waiting) of a brand on a channel since each instant. */
export type CountSends = (
  channel: MessageChannel,
  since: { day: Date; week: Date; nextWeek: Date },
) => Promise<{
  day: number;
  week: number;
}>;

export function countSendsWith(db: Queryable, personId: string, brandId: number): CountSends {
  return async (channel, since) => {
    const r = await db.query({
      name: 'messaging.count_sends',
      // Sends that went, are going or wait for their time count where they fall; a suppressed or dead one does not.
      text: `SELECT count(*) FILTER (WHERE coalesce(sent_at, due_at) >= $4)::int AS day, count(*)::int AS week
        FROM messages WHERE person_id = $1 AND brand_id = $2 AND channel = $3 AND purpose = 'marketing'
          AND state IN ('queued', 'held', 'sending', 'sent', 'failed')
          AND coalesce(sent_at, due_at) >= $5 AND coalesce(sent_at, due_at) < $6`,
      values: [personId, brandId, channel, since.day, since.week, since.nextWeek],
    });
    return r.rows[0];
  };
}

/** Why a send is over its cap, or null. */
export function overCap(cap: NonNullable<Decision['cap']>, n: { day: number; week: number }): string | null {
  const what = `marketing ${CHANNEL_WORDS[cap.channel]} from ${cap.brandName}`;
  if (n.day >= CAPS.day) return `${n.day} ${what} that day already (cap ${CAPS.day} a day in ${cap.timeZone})`;
  if (n.week >= CAPS.week) return `${n.week} ${what} that week already (cap ${CAPS.week} a week in ${cap.timeZone})`;
  return null;
}

export function suppress(d: Decision, rule: RuleName, reason: string): Decision {
  d.rules.push({ rule, outcome: 'suppress', reason });
  d.state = 'suppressed';
  d.suppressed = { rule, reason };
  d.dueAt = null;
  return d;
}

export async function decide(
  ctx: Pick<AppContext, 'db' | 'now'>,
  input: SendInput,
  now: Date,
  countSends: CountSends,
): Promise<Decision> {
  const d: Decision = {
    state: 'queued',
    channel: null,
    rules: [],
    suppressed: null,
    dueAt: now,
    heldUntil: null,
    text: null,
    subject: null,
    kept: [],
    removed: [],
    capExempt: input.purpose !== 'marketing',
    cap: null,
  };
  const [c, grants, askedAt] = await Promise.all([
    circumstances(ctx.db, input.personId, input.brandId),
    input.purpose === 'marketing' ? activeGrants(ctx.db, input.personId, input.brandId, 'marketing', now) : null,
    input.purpose === 'service' ? lastAskedAt(ctx.db, input.personId, input.brandId) : null,
  ]);
  if (!c) return suppress(d, 'consent', 'no such person');
  const who = c.displayName?.split(/\s+/)[0] || 'The person';

  // 1. Consent for this brand and purpose, then the channel.
  if (!c.linked) return suppress(d, 'consent', `${who} has not confirmed being ${c.brandName}'s customer`);
  if (input.purpose === 'marketing') {
    if (!grants?.some((g) => g.scope === 'identity.contact'))
      return suppress(d, 'consent', `${who} has not allowed ${c.brandName} to contact them for marketing`);
    d.rules.push({ rule: 'consent', outcome: 'pass', reason: `${who} allowed ${c.brandName} marketing contact` });
  } else if (input.purpose === 'service') {
    const since = now.getTime() - SERVICE_WINDOW_DAYS * 86_400_000;
    if (!askedAt || askedAt.getTime() < since)
      return suppress(
        d,
        'consent',
        `a service message answers the person's own question; ${who} has not written to ${c.brandName} in ${SERVICE_WINDOW_DAYS} days`,
      );
    d.rules.push({ rule: 'consent', outcome: 'pass', reason: `answers what ${who} asked ${c.brandName}` });
  } else {
    d.rules.push({ rule: 'consent', outcome: 'pass', reason: `about ${who}'s own dealings with ${c.brandName}` });
  }

  const stopped = (ch: MessageChannel) =>
    c.stops.find((s) => s.stopped && (s.channel === 'all' || s.channel === preferenceChannel(ch)));
  const unavailable = (ch: MessageChannel): string | null =>
    ch === 'email' && !c.email
      ? `${who} has no e-mail address`
      : ch === 'push' && !c.hasPush
        ? `${who} has no push subscription`
        : ch === 'webhook' && !c.brandWebhook
          ? `${c.brandName} has set no webhook URL`
          : null;
  if (input.channel) {
    const why = unavailable(input.channel);
    if (why) return suppress(d, 'channel', `${CHANNEL_WORDS[input.channel]} asked for, but ${why}`);
    d.channel = input.channel;
    d.rules.push({
      rule: 'channel',
      outcome: 'pass',
      reason: `${CHANNEL_WORDS[input.channel]}, as ${c.brandName} asked`,
    });
  } else {
    const order = c.preferred ? [c.preferred, ...CHOICE_ORDER.filter((x) => x !== c.preferred)] : CHOICE_ORDER;
    const chosen = order.find((ch) => !unavailable(ch) && !stopped(ch));
    if (!chosen)
      return suppress(
        d,
        'channel',
        `no channel is open: ${order.map((ch) => unavailable(ch) ?? `${ch} stopped`).join('; ')}`,
      );
    d.channel = chosen;
    d.rules.push({
      rule: 'channel',
      outcome: 'pass',
      reason:
        chosen === c.preferred
          ? `Confidant chose ${CHANNEL_WORDS[chosen]}: ${who}'s preferred channel`
          : `Confidant chose ${CHANNEL_WORDS[chosen]}${c.preferred ? ` (${c.preferred}, preferred, is not open)` : ''}`,
    });
  }
  const channel = d.channel;

  // 2. Opt-outs, and the abuse pause (marketing only).
  const stop = stopped(channel);
  if (stop)
    return suppress(
      d,
      'opt_out',
      `${who} said stop to ${stop.channel === 'all' ? 'all messages' : CHANNEL_WORDS[channel]} from ${stop.brand === 0 ? 'every brand' : c.brandName}`,
    );
  const paused = c.stops.some((s) => s.paused);
  if (paused && input.purpose === 'marketing')
    return suppress(
      d,
      'opt_out',
      `marketing from ${c.brandName} is paused since ${who} was upset; an apology lifts it`,
    );
  d.rules.push({
    rule: 'opt_out',
    outcome: 'pass',
    reason: paused ? `the abuse pause stops marketing only; this is ${input.purpose}` : 'no stop in force',
  });

  // 3. Quiet hours, in the person's zone.
  const quiet = { start: c.quietStart ?? DEFAULT_QUIET.start, end: c.quietEnd ?? DEFAULT_QUIET.end };
  const window = `${hhmm(quiet.start)}-${hhmm(quiet.end)} ${c.timeZone}`;
  if (input.purpose === 'service') {
    d.rules.push({ rule: 'quiet_hours', outcome: 'exempt', reason: `a reply ${who} is waiting for` });
  } else {
    const until = quietUntil(now, c.timeZone, quiet);
    if (until) {
      d.state = 'held';
      d.heldUntil = until;
      d.dueAt = until;
      d.rules.push({
        rule: 'quiet_hours',
        outcome: 'hold',
        reason: `quiet hours ${window}: held until ${until.toISOString()}`,
      });
    } else d.rules.push({ rule: 'quiet_hours', outcome: 'pass', reason: `outside quiet hours ${window}` });
  }

  // 4. Frequency caps per brand and channel, per calendar day and week where the message will go out.
  if (input.purpose !== 'marketing') {
    d.rules.push({
      rule: 'frequency_cap',
      outcome: 'exempt',
      reason: input.purpose === 'transactional' ? 'transactional: exempt from caps' : 'service reply: exempt from caps',
    });
  } else {
    const at = d.dueAt ?? now;
    const starts = calendarStarts(at, c.timeZone);
    d.cap = { channel, starts, timeZone: c.timeZone, brandName: c.brandName };
    const n = await countSends(channel, starts);
    if (n.day >= CAPS.day)
      return suppress(
        d,
        'frequency_cap',
        `${n.day} marketing ${CHANNEL_WORDS[channel]} from ${c.brandName} that day already (cap ${CAPS.day} a day in ${c.timeZone})`,
      );
    if (n.week >= CAPS.week)
      return suppress(
        d,
        'frequency_cap',
        `${n.week} marketing ${CHANNEL_WORDS[channel]} from ${c.brandName} that week already (cap ${CAPS.week} a week in ${c.timeZone})`,
      );
    d.rules.push({
      rule: 'frequency_cap',
      outcome: 'pass',
      reason: `${n.day + 1} of ${CAPS.day} that day, ${n.week + 1} of ${CAPS.week} that week (${c.timeZone})`,
    });
  }

  // 5. The creepiness guard.
  const variants = input.template?.variants ?? [input.text ?? ''];
  const subject = input.template?.subject ?? input.subject ?? null;
  const g = await guard(ctx, {
    brandId: input.brandId,
    brandName: c.brandName,
    personId: input.personId,
    purpose: input.purpose,
    variants,
    subject,
    data: input.data ?? {},
  });
  d.kept = g.kept;
  d.removed = g.removed;
  if (g.variant === null) return suppress(d, 'guard', g.reason);
  d.text = g.text;
  d.subject = g.subject ?? (channel === 'email' ? `A message from ${c.brandName}` : null);
  d.rules.push({ rule: 'guard', outcome: 'pass', reason: g.reason });
  return d;
}
