/**
 * A profile that listens: stated facts confirmed, forgotten on request, listed with where each came
 * from, the facts behind a suggestion named, and a "too creepy" use retired.
 */
import { describeFact, retireFactUse, retractFacts, type StoredFact } from '../../profile/facts.js';
import { recordTrustSignal } from '../../trust/index.js';
import { activeGrants, factAllowed } from '../../gatekeeper/index.js';
import { linkedTo, turnView } from './view.js';
import { CATALOG_QUESTION, catalogQuestion } from './suggestions.js';
import type { Fact } from '../understand/types.js';
import type { Offer } from '../compose.js';
import type { Pending } from '../store.js';
import { type Answer, type Turn, describe, pendingUntil, usedFact } from '../turn.js';
import { capitalize, list, money } from '../wording.js';
import { MONTH_NAMES, SIZE_WORDS } from '../../profile/index.js';

const HE = /^(dad|father|brother|husband|son|grandpa|grandfather|uncle|boyfriend|nephew|father-in-law|stepdad)$/;
const SHE = /^(mom|mum|mother|sister|wife|daughter|grandma|grandmother|aunt|girlfriend|niece|mother-in-law|stepmom)$/;

/** "your dad", "Anna". */
export function whoIs(about: string): string {
  if (about === 'self') return 'you';
  return HE.test(about) ||
    SHE.test(about) ||
    /^(partner|friend|boss|kids?|cousin|neighbou?r|best friend|colleague|teacher)$/.test(about)
    ? `your ${about}`
    : capitalize(about);
}
const pronoun = (about: string) => (HE.test(about) ? 'he' : SHE.test(about) ? 'she' : whoIs(about));
const possessive = (who: string) =>
  who === 'you' ? 'your' : who === 'he' ? 'his' : who === 'she' ? 'her' : `${who}'s`;
const itemWord = (item: string) => (item === 'shoes' ? 'shoe' : item === 'pants' ? 'pants' : item.replace(/s$/, ''));
/** "a rain jacket", "an umbrella", "shoes". */
export const withArticle = (thing: string) =>
  /s$/.test(thing) ? thing : `${/^[aeiou]/i.test(thing) ? 'an' : 'a'} ${thing}`;
const words = (v: unknown) => String(v).replace(/_/g, ' ');

/** One stated fact as a clause: "keto from now on", "your dad's birthday is on June 3", "he likes fly fishing". */
export function factClause(f: Pick<StoredFact, 'about' | 'kind' | 'value' | 'polarity'>, who = whoIs(f.about)): string {
  const self = who === 'you';
  const be = self ? 'are' : 'is';
  const does = self ? 'do' : 'does';
  const v = f.value as unknown;
  const neg = f.polarity === 'negative';
  switch (f.kind) {
    case 'diet':
      if (self)
        return neg ? `no ${words(v).replace(' ', '-')} for you` : `${words(v).replace(' free', '-free')} from now on`;
      return `${who} ${be}${neg ? ' not' : ''} ${words(v).replace(' free', '-free')}`;
    case 'allergy':
      return self ? `you're allergic to ${words(v)}` : `${who} is allergic to ${words(v)}`;
    case 'size': {
      const s = v as { item?: string; size?: string };
      const size = s.size ? (SIZE_WORDS[s.size] ?? s.size) : 'unknown';
      return `${possessive(who)} ${itemWord(s.item ?? 'clothing')} size is ${size}`;
    }
    case 'like':
      return neg ? `${who} ${does}n't like ${v}` : `${who} ${self ? 'like' : 'likes'} ${v}`;
    case 'dislike':
      return `${who} ${does}n't like ${v}`;
    case 'brand':
      return neg ? `${who} ${self ? 'avoid' : 'avoids'} ${v}` : `${who} ${self ? 'like' : 'likes'} ${v}`;
    case 'budget': {
      const b = v as { max: number; currency?: string; for?: string };
      return `${possessive(who)} budget is ${money(b.max, b.currency)}${b.for ? ` for ${withArticle(b.for)}` : ''}`;
    }
    case 'date': {
      const d = v as { occasion?: string; month?: number; day?: number };
      const when = d.month
        ? d.day
          ? ` on ${MONTH_NAMES[d.month - 1]} ${d.day}`
          : ` in ${MONTH_NAMES[d.month - 1]}`
        : ' coming up';
      return `${possessive(who)} ${d.occasion ?? 'date'} is${when}`;
    }
    case 'household':
      return `${who} ${self ? 'have' : 'has'} ${v}`;
    case 'location':
      return self ? `you're in ${v}` : `${who} is in ${v}`;
    default:
      return `${who}: ${describeFact(f as StoredFact)}`;
  }
}

/** "Got it: keto from now on" / "Got it: your dad's birthday is on June 3 and he likes fly fishing". */
export function confirmation(facts: Array<Pick<StoredFact, 'about' | 'kind' | 'value' | 'polarity'>>): string {
  const seen = new Set<string>();
  const clauses = facts.slice(0, 3).map((f) => {
    const first = !seen.has(f.about);
    seen.add(f.about);
    return factClause(f, first ? whoIs(f.about) : pronoun(f.about));
  });
  const more = facts.length > 3 ? ` and ${facts.length - 3} more` : '';
  return `Got it: ${list(clauses)}${more}`;
}

/** Scopes a brand would need to use these facts for suggestions, when not granted yet. */
async function missingScopes(turn: Turn, facts: StoredFact[]): Promise<string[]> {
  if (!turn.brand || facts.length === 0) return [];
  const grants = await activeGrants(turn.tx, turn.person.id, turn.brand.id, 'recommendations', turn.now);
  const byScope = new Map(grants.map((g) => [g.scope, g]));
  const missing = facts.filter(
    (f) => !f.retiredUses.length && !factAllowed(f, byScope, 'recommendations', turn.brand!.id),
  );
  // A special category (health, religion, finances...) is asked about on its own, one at a time.
  const special = missing.find((f) => f.sensitivity !== 'low');
  if (special) return [special.scope];
  return [...new Set(missing.map((f) => f.scope))];
}

/** A fact said plainly, as the shopper would say it (what the "remember it" button sends), or null. */
function plainly(f: Fact): string | null {
  const v = typeof f.value === 'string' ? f.value.replace(/_/g, '-') : null;
  if (!v) return null;
  const self = f.about === 'self';
  const who = self ? 'I' : `my ${f.about}`;
  if (f.kind === 'like' || (f.kind === 'brand' && f.polarity === 'positive'))
    return `${who} ${self ? 'like' : 'likes'} ${v}`;
  if (f.kind === 'dislike') return `${who} ${self ? "don't" : "doesn't"} like ${v}`;
  if (f.kind === 'brand') return `${who} ${self ? 'avoid' : 'avoids'} ${v}`;
  if (f.kind === 'diet') return `${self ? "I'm" : `${who} is`} ${v}`;
  return null;
}

/** Said with doubt ("maybe she likes candles?"): nothing stored; one question asks, with a button that says it plainly. */
function unsure(f: Fact): Answer {
  const said = plainly(f);
  return {
    say: ["I haven't saved that, since it sounded unsure"],
    ask: said
      ? `Shall I remember that ${factClause(f as Parameters<typeof factClause>[0])}?`
      : 'Tell me again once you are sure?',
    actions: said ? [{ label: 'Yes, remember it', value: said, intent: 'state_fact' }] : [],
  };
}

/**
 * "I'm doing keto now": confirmed, and when this brand may not use it yet, the one question of the
 * reply asks whether it may (so the shopper decides, and the next suggestion can follow it).
 */
export async function stateFact(turn: Turn): Promise<Answer> {
  if (turn.stated.length === 0 && turn.doubtful?.length) return unsure(turn.doubtful[0]!);
  if (turn.stated.length === 0) {
    return {
      say: ["I didn't quite catch what to remember"],
      ask: 'Could you say it another way, like "I wear a medium" or "I\'m vegetarian"?',
      actions: [],
    };
  }
  const usedFacts = turn.stated.map((f) => usedFact(f, 'confirmed'));
  const say = [confirmation(turn.stated)];
  const scopes = await missingScopes(turn, turn.stated);
  // A shop the shopper never linked is not offered anything to use.
  if (scopes.length && turn.brand && (await linkedTo(turn, turn.brand.id))) {
    const what = turn.stated.length === 1 ? 'that' : 'these';
    const pending: Pending = { kind: 'grant', brandId: turn.brand.id, scopes, what, expiresAt: pendingUntil(turn.now) };
    return {
      say,
      ask: `Shall ${turn.brand.name} use ${what} for your suggestions?`,
      actions: [
        { label: 'Yes, use it', value: 'yes' },
        { label: 'No, keep it private', value: 'no' },
      ],
      pending,
      usedFacts,
    };
  }
  const gift = turn.stated.find((f) => f.about !== 'self');
  const food = turn.stated.some((f) => f.kind === 'diet' || f.kind === 'allergy');
  const ask = gift
    ? `Want gift ideas for ${whoIs(gift.about)}?`
    : food
      ? 'Want some ideas that fit?'
      : 'Anything else I should know?';
  const actions: Offer[] = gift
    ? [{ label: 'Gift ideas', value: `gift ideas for my ${gift.about}`, intent: 'recommend' }]
    : [{ label: 'Show me ideas', value: 'what do you recommend?', intent: 'recommend' }];
  return { say, ask, actions, usedFacts };
}

// ---------------------------------------------------------------------------------------------
// Forget

const KIND_PLURAL: Record<string, string> = {
  diet: 'diets',
  allergy: 'allergies',
  size: 'sizes',
  like: 'likes',
  dislike: 'dislikes',
  budget: 'budgets',
  date: 'dates',
  brand: 'brand preferences',
  household: 'household',
  location: 'location',
};

/** What a retraction names: "your shoe size", "everything about your dad", "that you're vegan". */
export function forgetPhrase(r: Pick<Fact, 'about' | 'kind' | 'value'>): string {
  const who = whoIs(r.about);
  if (r.kind === '*') return r.about === 'self' ? 'everything about you' : `everything about ${who}`;
  if (r.value === '*') return `${possessive(who)} ${KIND_PLURAL[r.kind] ?? r.kind}`;
  if (r.kind === 'size')
    return `${possessive(who)} ${itemWord((r.value as { item?: string }).item ?? 'clothing')} size`;
  if (r.kind === 'date') return `${possessive(who)} ${(r.value as { occasion?: string }).occasion ?? 'date'}`;
  if (r.kind === 'budget')
    return `${possessive(who)} budget${(r.value as { for?: string }).for ? ` for ${(r.value as { for?: string }).for}` : ''}`;
  return `that ${factClause({ ...r, polarity: 'positive' } as StoredFact)
    .replace(' from now on', '')
    .replace(/^(keto|vegan|vegetarian|[\w-]+)$/, "you're $1")}`;
}

export async function forgetFact(turn: Turn): Promise<Answer> {
  const retractions = turn.understood.facts.filter((f) => f.polarity === 'retract');
  if (retractions.length === 0) {
    return {
      say: [],
      ask: 'What should I forget, for example your shoe size or a diet?',
      actions: [{ label: 'What do you know?', value: 'what do you know about me?', intent: 'what_do_you_know' }],
    };
  }
  const removed = await retractFacts(turn.tx, turn.person.id, retractions);
  const phrases = list(retractions.slice(0, 3).map(forgetPhrase));
  const actions: Offer[] = [
    { label: 'What do you know?', value: 'what do you know about me?', intent: 'what_do_you_know' },
  ];
  if (removed.length === 0)
    return {
      say: [`I didn't have anything saved about ${phrases.replace(/^that /, 'that ')}, so there's nothing to forget`],
      actions,
    };
  return {
    say: [`Done, I've forgotten ${phrases}`],
    ask: 'Anything else you want me to forget or change?',
    actions,
    usedFacts: removed.map((f) => usedFact(f, 'forgotten')),
  };
}

// ---------------------------------------------------------------------------------------------
// What do you know, and why

/** "you told me", "seen at Volt", "from Hearth & Home", "my guess". */
export function sourcePhrase(turn: Turn, f: StoredFact): string {
  const brand = f.sourceBrandId ? turn.brandName(f.sourceBrandId) : '';
  switch (f.source) {
    case 'stated':
      return 'you told me';
    case 'observed':
      return brand ? `seen at ${brand}` : 'seen in your orders';
    case 'imported':
      return brand ? `from ${brand}` : 'imported';
    default:
      return brand ? `my guess from ${brand}` : 'my guess';
  }
}

/** A fact in a list of what is known: "keto (you told me)". */
const listed = (turn: Turn, f: StoredFact) => `${describe(f)} (${sourcePhrase(turn, f)})`;

const ABOUT = /\babout (?:my |his |her )?([a-z]+(?:-in-law)?)\b/i;

export async function whatDoYouKnow(turn: Turn): Promise<Answer> {
  // "What do you have?" asks about the shop, not about the shopper.
  if (CATALOG_QUESTION.test(turn.text) && !/\babout (me|my|him|her)\b/i.test(turn.text)) return catalogQuestion(turn);
  if (/\bwhy\b|\bhow come\b|\bwhat made you\b|\bbecause of what\b/i.test(turn.text) && turn.state.lastUsed)
    return whySuggested(turn);
  // In a brand's chat, what this brand may use; the shopper's own Confidant shows everything.
  const view = await turnView(turn, 'service', 'chat:what_do_you_know');
  const m = ABOUT.exec(turn.text);
  const about = m && !/^(me|myself|us|you|it|that|this|them)$/i.test(m[1]) ? m[1].toLowerCase() : 'self';
  const mine = view.facts.filter((f) => f.about === about);
  const others = [...new Set(view.facts.filter((f) => f.about !== 'self' && f.about !== about).map((f) => f.about))];
  const actions: Offer[] = [];
  for (const o of others.slice(0, 2))
    actions.push({ label: `About my ${o}`, value: `what do you know about my ${o}?`, intent: 'what_do_you_know' });
  const usedFacts = mine.slice(0, 3).map((f) => usedFact(f, 'listed'));
  const whose = about === 'self' ? 'you' : whoIs(about);
  if (mine.length === 0) {
    const alsoOthers =
      about === 'self' && others.length ? `, only a little about ${list(others.slice(0, 2).map(whoIs))}` : '';
    // In a brand's thread (which its operators read) nothing says what the brand is refused.
    const where = turn.brand
      ? `I don't know anything here about ${whose} yet`
      : `I don't know anything about ${whose} yet${alsoOthers}`;
    return {
      say: [where],
      ask: about === 'self' ? 'Want to tell me a size, a diet or something you love?' : undefined,
      actions,
    };
  }
  const shown = mine.slice(0, 3).map((f) => listed(turn, f));
  const rest = mine.length - shown.length;
  const first = `${about === 'self' ? 'Here is what I know' : `About ${whose}, I know`}: ${list(shown)}${rest ? `, plus ${rest} more` : ''}`;
  const second = turn.brand
    ? 'Your Confidant page shows all of it and who may see what'
    : others.length
      ? `I also know a little about ${list(others.slice(0, 2).map(whoIs))}`
      : 'You can change or delete any of it on your Confidant page';
  return { say: [first, second], actions, usedFacts, usedFor: { purpose: turn.brand ? 'service' : 'self' } };
}

/** "Why did you suggest that?": the facts the last suggestion used, with where they came from. */
async function whySuggested(turn: Turn): Promise<Answer> {
  const last = turn.state.lastUsed!;
  const picks = last.picks ?? [];
  const subject = picks.length
    ? `I suggested ${picks[0].name}${picks.length > 1 ? ' and the others' : ''}`
    : 'I said that';
  if (last.facts.length === 0) {
    return {
      say: [`${subject} from what's popular and what you've bought before, not from anything you told me`],
      actions: [],
      usedFor: last,
      usedFacts: [],
    };
  }
  const facts = last.facts
    .slice(0, 3)
    .map(
      (f) =>
        `${f.description} (${f.source === 'stated' ? 'you told me' : f.source_brand_id ? `from ${turn.brandName(f.source_brand_id)}` : f.source})`,
    );
  return {
    say: [`${subject} because of ${list(facts)}`],
    ask: 'Too personal?',
    actions: [{ label: "Don't use that", value: "that's too creepy", intent: 'too_creepy' }],
    usedFacts: last.facts,
    usedFor: last,
  };
}

// ---------------------------------------------------------------------------------------------
// Too creepy

const USE_WORDS: Record<string, string> = {
  recommendations: 'for suggestions',
  service: 'in this chat',
  marketing: 'in messages',
  self: 'for suggestions',
};

export async function tooCreepy(turn: Turn): Promise<Answer> {
  const last = turn.state.lastUsed;
  const facts = (last?.facts ?? []).filter((f) => f.used_for !== 'forgotten');
  if (!last || facts.length === 0) {
    return {
      say: [
        'Sorry if that felt like too much',
        "That reply didn't use anything about you, and you can see or delete what I know anytime",
      ],
      actions: [{ label: 'What do you know?', value: 'what do you know about me?', intent: 'what_do_you_know' }],
    };
  }
  // The shopper's own Confidant has no brand purpose; its suggestions are a recommendations use too.
  const purpose = last.purpose === 'self' ? 'recommendations' : last.purpose;
  await retireFactUse(
    turn.tx,
    turn.person.id,
    facts.map((f) => f.id),
    purpose,
  );
  // In a brand's chat, that brand may not use these facts again for anything, and the shopper's trust in it drops.
  if (turn.brand)
    await recordTrustSignal(turn.tx, {
      personId: turn.person.id,
      brandId: turn.brand.id,
      kind: 'too_creepy',
      factIds: facts.map((f) => f.id),
      purpose,
      at: turn.now,
    });
  const what = list(facts.slice(0, 3).map((f) => f.description));
  return {
    say: [`Sorry, that was too much`, `I won't use ${what} ${USE_WORDS[purpose] ?? 'that way'} again`],
    actions: [{ label: 'What do you know?', value: 'what do you know about me?', intent: 'what_do_you_know' }],
    usedFacts: facts.map((f) => ({ ...f, used_for: `retired:${purpose}` })),
  };
}
