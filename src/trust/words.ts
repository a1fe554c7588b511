/** Trust in the person's own words: what happened between them and a brand, not a number. */
import { type SignalKind, TALK_KINDS } from './signals.js';
import type { TrustLevel } from './score.js';

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
const talked = (n: number) => (n >= 5 ? 'talked often' : n >= 2 ? 'talked a few times' : 'talked once');

/**
 * "you've talked often and bought twice", "you've bought once, and found a message too personal", "you haven't
 * talked yet". Counts are of the signals that still count (see `score.ts`).
 */
export function trustWords(counts: Partial<Record<SignalKind, number>>, level: TrustLevel): string {
  const n = (k: SignalKind) => counts[k] ?? 0;
  const talk = [...TALK_KINDS].reduce((s, k) => s + n(k), 0);
  const done: string[] = [];
  if (talk) done.push(talked(talk));
  if (n('purchase')) done.push(`bought ${times(n('purchase'))}`);
  const pulled: string[] = [];
  if (n('too_creepy')) pulled.push(`found ${n('too_creepy') === 1 ? 'something' : 'a few things'} too personal`);
  if (n('opt_out')) pulled.push('asked for fewer messages');
  if (n('complaint')) pulled.push(`complained ${times(n('complaint'))}`);
  if (n('abuse') > n('apology')) pulled.push('had a rough conversation');
  if (!done.length && !pulled.length) return level === 'new' ? "you haven't talked yet" : 'nothing much lately';
  const good = done.length ? `you've ${done.join(' and ')}` : '';
  const bad = pulled.length ? `${good ? ', but' : "you've"} ${pulled.join(' and ')}` : '';
  return `${good}${bad}`;
}
