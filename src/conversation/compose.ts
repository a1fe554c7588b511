import type { Intent } from './understand/types.js';

/**
 * The one place a reply's wording is finished. Every answer hands a draft here; the rules of every
 * reply are enforced here and nowhere else: at most two sentences, under 40 words, at most one
 * question, a few next actions.
 */

export interface Action {
  label: string;
  /** What the widget sends back as the shopper's next message when the button is pressed. */
  value: string;
}

/** An action as an answer offers it: with what pressing it means, so the next turn needs no guessing. */
export interface Offer extends Action {
  intent?: Intent;
}

export interface Reply {
  text: string;
  actions: Action[];
}

export interface Draft {
  /** Statements, most important first. */
  say: string[];
  /** The reply's one question: a leading question offering next actions, or one profiling question saying why. */
  ask?: string;
  actions?: Offer[];
}

export const MAX_SENTENCES = 2;
/** "Under 40 words". */
export const MAX_WORDS = 39;
export const MAX_ACTIONS = 4;

/** Sentences as a reader counts them: ended by . ! ? or … followed by a space or the end. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…])["')\]]*\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const wordsOf = (text: string): string[] => text.split(/\s+/).filter((w) => /[\p{L}\p{N}$£€]/u.test(w));

/** A sentence that ends like one, with no sentence break inside (a product called "No. 5" must not count as two). */
function asSentence(s: string, question = false): string {
  let t = s.replace(/\s+/g, ' ').trim();
  if (!t) return '';
  t = t.replace(/([.!?])\s+(?=\S)/g, (m, p: string) => (p === '.' ? ', ' : m.replace(/\s+/, ' ')));
  if (sentencesOf(t).length > 1) t = t.replace(/[.!?]\s+/g, ', ');
  if (!/[.!?…]$/.test(t)) t += question ? '?' : '.';
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function clip(sentence: string, words: number): string {
  const w = sentence.split(/\s+/);
  if (w.length <= words) return sentence;
  return `${w
    .slice(0, words)
    .join(' ')
    .replace(/[,;:]+$/, '')}…`;
}

/**
 * Finishes a reply: the first statement, then the question (or a second statement when there is no
 * question). A second sentence that would break the word limit is dropped, never squeezed; a first
 * sentence that alone breaks it is clipped (a bug in its answer, logged by the tests).
 */
export function compose(d: Draft): Reply & { offers: Offer[] } {
  const first = asSentence(d.say[0] ?? '');
  const second = d.ask ? asSentence(d.ask, true) : d.say[1] ? asSentence(d.say[1]) : '';
  let text = first && second ? `${first} ${second}` : first || second;
  if (wordsOf(text).length > MAX_WORDS) text = first ? first : second;
  if (wordsOf(text).length > MAX_WORDS) text = clip(text, MAX_WORDS);
  const seen = new Set<string>();
  const offers = (d.actions ?? [])
    .filter((a) => a.label && a.value && !seen.has(a.value) && seen.add(a.value))
    .slice(0, MAX_ACTIONS);
  return { text, actions: offers.map((a) => ({ label: a.label, value: a.value })), offers };
}

/** The rules, as a check the tests run on every reply they see. */
export function replyProblems(text: string): string[] {
  const problems: string[] = [];
  const n = sentencesOf(text).length;
  const w = wordsOf(text).length;
  if (n > MAX_SENTENCES) problems.push(`${n} sentences`);
  if (w > MAX_WORDS) problems.push(`${w} words`);
  if ((text.match(/\?/g) ?? []).length - (text.match(/https?:\/\/\S*\?/g) ?? []).length > 1)
    problems.push('more than one question');
  if (!text.trim()) problems.push('empty');
  return problems;
}
