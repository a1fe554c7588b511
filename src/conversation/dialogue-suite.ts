/**
 * The dialogue suite's data and its checks (the runner is `dialogues.test.ts`; the format is
 * described in `dialogues/README.md`). Everything here is pure: reading and validating the files,
 * and comparing what a turn produced with what the turn expects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replyProblems } from './compose.js';
import { isIntent } from './understand/types.js';

export const DIALOGUES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dialogues');

export const SHOPPERS = ['karen', 'dad', 'bob'] as const;
export type ShopperName = (typeof SHOPPERS)[number];
export const PLACES = ['volt', 'corner-deli', 'me'] as const;

/** A fact as a turn expects it: value, about and polarity are optional in `notStored` (any matches). */
export interface ExpectedFact {
  kind: string;
  value?: unknown;
  about?: string;
  polarity?: string;
}

export interface ExpectedTurn {
  say: string;
  intent?: string;
  stored?: ExpectedFact[];
  notStored?: ExpectedFact[];
  replyHas?: string[];
  replyLacks?: string[];
  actions?: string[];
  actionsLack?: string[];
  order?: Record<string, unknown> & { id: string };
}

export interface Dialogue {
  name: string;
  shopper: ShopperName;
  brand: (typeof PLACES)[number];
  /** The clock for this dialogue (ISO); the fixtures' NOW when absent. */
  now?: string;
  turns: ExpectedTurn[];
}

export interface DialogueFile {
  file: string;
  category: string;
  dialogues: Dialogue[];
}

/** A fact as the person's own API answers it (`GET /v1/me/profile`). */
export interface ProfileFact {
  id: string;
  about: string;
  kind: string;
  value: unknown;
  polarity: string;
}

const TURN_KEYS = new Set([
  'say',
  'intent',
  'stored',
  'notStored',
  'replyHas',
  'replyLacks',
  'actions',
  'actionsLack',
  'order',
]);
const FACT_KEYS = new Set(['kind', 'value', 'about', 'polarity']);

/** Reads and validates every `dialogues/*.json`; a mistake in a file is an error naming the file and the place. */
export function loadDialogues(dir = DIALOGUES_DIR): DialogueFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const where = (p: string) => `${file}${p}`;
      let data: unknown;
      try {
        data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      } catch (e) {
        throw new Error(`${file}: not JSON (${(e as Error).message})`);
      }
      const d = data as { category?: unknown; dialogues?: unknown };
      if (typeof d.category !== 'string' || !d.category) throw new Error(where(': needs a "category"'));
      if (!Array.isArray(d.dialogues) || !d.dialogues.length) throw new Error(where(': needs "dialogues"'));
      d.dialogues.forEach((g: Dialogue, i: number) => validateDialogue(g, (p) => where(`/dialogues/${i}${p}`)));
      return { file, category: d.category, dialogues: d.dialogues as Dialogue[] };
    });
}

function validateDialogue(g: Dialogue, where: (p: string) => string): void {
  const fail = (p: string, why: string) => {
    throw new Error(`${where(p)}: ${why}`);
  };
  if (typeof g.name !== 'string' || !g.name) fail('', 'needs a "name"');
  if (!SHOPPERS.includes(g.shopper)) fail('/shopper', `one of ${SHOPPERS.join(', ')}`);
  if (!PLACES.includes(g.brand)) fail('/brand', `one of ${PLACES.join(', ')}`);
  if (g.now !== undefined && Number.isNaN(Date.parse(g.now))) fail('/now', 'an ISO date-time');
  if (!Array.isArray(g.turns) || !g.turns.length) fail('/turns', 'at least one turn');
  g.turns.forEach((t, i) => {
    const p = `/turns/${i}`;
    for (const k of Object.keys(t)) if (!TURN_KEYS.has(k)) fail(`${p}/${k}`, 'unknown key');
    if (typeof t.say !== 'string' || !t.say.trim()) fail(`${p}/say`, 'what the shopper says');
    if (t.intent !== undefined && !isIntent(t.intent)) fail(`${p}/intent`, 'a label of the understanding contract');
    for (const key of ['stored', 'notStored'] as const)
      (t[key] ?? []).forEach((f, j) => {
        for (const k of Object.keys(f)) if (!FACT_KEYS.has(k)) fail(`${p}/${key}/${j}/${k}`, 'unknown key');
        if (typeof f.kind !== 'string') fail(`${p}/${key}/${j}/kind`, 'a fact kind');
        if (key === 'stored' && f.value === undefined) fail(`${p}/${key}/${j}/value`, 'a stored fact needs its value');
      });
    for (const key of ['replyHas', 'replyLacks', 'actions', 'actionsLack'] as const)
      for (const s of t[key] ?? []) {
        if (typeof s !== 'string') fail(`${p}/${key}`, 'strings');
        else pattern(s);
      }
    if (t.order !== undefined && (typeof t.order !== 'object' || typeof t.order.id !== 'string'))
      fail(`${p}/order`, 'an object with the "id" of the order that changed');
  });
}

/** "text" is a case-insensitive substring; "/re/flags" a regular expression. */
export function pattern(s: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  if (m) return new RegExp(m[1], m[2]);
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

const norm = (v: unknown): unknown =>
  typeof v === 'string' ? v.trim().toLowerCase() : typeof v === 'number' ? v : (v ?? null);

/** Expected ⊆ actual: strings compare case-insensitively, objects by the keys the expectation names, arrays element by element in any order. */
export function matches(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e) => actual.some((a) => matches(e, a)));
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => matches(v, (actual as Record<string, unknown>)[k]));
  }
  return norm(expected) === norm(actual);
}

export function factMatches(e: ExpectedFact, f: ProfileFact, strict: boolean): boolean {
  if (e.kind !== f.kind) return false;
  if (e.value !== undefined && !matches(e.value, f.value)) return false;
  const about = e.about ?? (strict ? 'self' : undefined);
  if (about !== undefined && norm(about) !== norm(f.about)) return false;
  const polarity = e.polarity ?? (strict ? 'positive' : undefined);
  return polarity === undefined || polarity === f.polarity;
}

export const showFact = (f: ExpectedFact | ProfileFact) =>
  `${f.about ?? 'self'}/${f.kind}${f.polarity && f.polarity !== 'positive' ? `(${f.polarity})` : ''}=${JSON.stringify(f.value)}`;

/**
 * `stored` is exact: the facts new in this turn (a new id, or a changed value or polarity) are
 * exactly the ones listed, one for one (about defaults to "self", polarity to "positive").
 */
export function storedProblems(expected: ExpectedFact[], fresh: ProfileFact[]): string[] {
  const left = [...fresh];
  const problems: string[] = [];
  for (const e of expected) {
    const i = left.findIndex((f) => factMatches(e, f, true));
    if (i < 0) problems.push(`not stored: ${showFact(e)}`);
    else left.splice(i, 1);
  }
  for (const f of left) problems.push(`stored but not expected: ${showFact(f)}`);
  return problems;
}

/** The rules of every reply: at most two sentences, under 40 words, one question, and no order number the shopper did not name. */
export function seedRuleProblems(reply: string, orderIds: string[], said: string): string[] {
  const problems = replyProblems(reply);
  for (const id of orderIds)
    if (
      new RegExp(`(?<![\\w-])${id.replace(/[-]/g, '\\-')}(?![\\w-])`, 'i').test(reply) &&
      !said.includes(id.toLowerCase())
    )
      problems.push(`a bare order number (${id})`);
  return problems;
}
