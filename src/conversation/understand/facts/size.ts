/** Sizes: letters, numbers, waist by length, with the garment they are for. */
import type { SizeValue } from '../types.js';
import { ITEMS, ITEM_WORDS, LETTER_SIZES, LETTER_WORDS } from './vocabulary.js';
import { rxg } from './text.js';
import type { Clause } from './clauses.js';
import type { Draft } from './draft.js';

export function itemOf(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const w = word.toLowerCase();
  for (const [re, item] of ITEMS) if (re.test(w)) return item;
  if (/^(clothes|clothing)$/.test(w)) return 'clothing';
  return undefined;
}

export function letterSize(s: string): string | undefined {
  const v = s.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [re, size] of LETTER_SIZES) if (re.test(v)) return size;
  return undefined;
}

export function numberSize(s: string): string {
  return s
    .toLowerCase()
    .replace(/\s*(?:and a half|1\/2|½)$/, '.5')
    .replace(/\s+\.5$/, '.5')
    .replace(/\s*(?:x|\/|by)\s*/, 'x')
    .toUpperCase()
    .replace(/(\d)X(\d)/, '$1x$2');
}

export const NUM_SIZE = `\\d{1,2}(?:\\.5|\\s*(?:1\\/2|½|and a half))?(?:\\s*(?:x|\\/|by)\\s*\\d{2})?(?:t|[a-h]{1,2}|w)?`;

export function extractSize(c: Clause, who: string, productContext: boolean): Draft[] {
  const low = c.low;
  const out: Draft[] = [];
  const push = (item: string | undefined, size: string | undefined, negative = false) => {
    if (!size) return;
    const value: SizeValue = { item: item ?? 'clothing', size };
    if (!out.some((o) => JSON.stringify(o.value) === JSON.stringify(value)))
      out.push({ about: who, kind: 'size', value, polarity: negative ? 'negative' : 'positive' });
  };
  const sized = (raw: string) => letterSize(raw) ?? numberSize(raw);
  let m: RegExpMatchArray | null;

  // Waist and inseam: "32x34 jeans", "waist 30 and inseam 32", "W32 L34".
  if ((m = low.match(/\bwaist(?:\s+is|\s+size)?\s+(\d{2})\b.*?\b(?:inseam|leg|length)(?:\s+is)?\s+(\d{2})\b/)))
    push('pants', `${m[1]}x${m[2]}`);
  else if ((m = low.match(/\bw\s?(\d{2})\s*l\s?(\d{2})\b/))) push('pants', `${m[1]}x${m[2]}`);
  else if ((m = low.match(/\b(\d{2})\s*(?:inch\s+)?waist\b.*?\b(\d{2})\s*(?:inch\s+)?(?:length|inseam|leg)\b/)))
    push('pants', `${m[1]}x${m[2]}`);
  else if ((m = low.match(/\bwaist(?:\s+size)?(?:\s+is|'s|:)?\s+(?:a\s+)?(\d{2})\b|\b(\d{2})\s*(?:inch\s+)?waist\b/)))
    push('pants', m[1] ?? m[2]);

  // "my shoe size is 10", "ring size 7", "his pants size is 34x32", "dress size: 8"
  const itemSize = rxg`\\b(${ITEM_WORDS}|shoe)\\s+size(?:\\s+is|'s|:)?\\s+(?:a\\s+|an\\s+)?(${NUM_SIZE}|${LETTER_WORDS})\\b`;
  for (const mm of low.matchAll(itemSize)) push(itemOf(mm[1] === 'shoe' ? 'shoes' : mm[1]), sized(mm[2]!));

  // "size 10 shoes", "a size 8 in dresses", "size 9", "size medium in shirts"
  const sizeN = rxg`\\bsize\\s+(${NUM_SIZE}|${LETTER_WORDS})\\b(?:\\s+(?:in\\s+)?(${ITEM_WORDS}|shoe))?`;
  for (const mm of low.matchAll(sizeN)) {
    if (out.some((o) => (o.value as SizeValue).size === sized(mm[1]!))) continue;
    const item =
      itemOf(mm[2] === 'shoe' ? 'shoes' : mm[2]) ?? nearbyItem(low) ?? (letterSize(mm[1]!) ? 'shirt' : undefined);
    push(item, sized(mm[1]!));
  }

  // "I wear a medium", "he wears an XL in shirts", "I'm a large", "my son is a small", "I take a 10 in shoes"
  const wear = rxg`(?:\\b(?:wear|wears|wearing|take|takes|am|is|are|i'm|im|he's|she's|we're|they're|usually get|get|fit|fits|fit into|buy|order)|'s)\\s+(?:not\\s+|no longer\\s+)?(?:usually\\s+|always\\s+|normally\\s+|typically\\s+|mostly\\s+|now\\s+)?(?:a\\s+|an\\s+)?(?:size\\s+)?(${LETTER_WORDS}|${NUM_SIZE})(?=[\\s,.!?]|$)(?:\\s+(?:in\\s+)?(${ITEM_WORDS}|shoe))?`;
  for (const mm of low.matchAll(wear)) {
    const raw = mm[1]!;
    const isLetter = letterSize(raw) !== undefined;
    // Bare single letters ("i'm s...") and plain numbers without "wear" are too ambiguous.
    if (/^[lms]$/.test(raw) && !/\bwear/.test(mm[0])) continue;
    const bra = /^\d{2}[a-h]{1,2}$/.test(raw); // "I'm a 34B"
    if (
      !isLetter &&
      !bra &&
      !/\b(?:wear|wears|wearing|take|takes|size|fit)\b/.test(mm[0]) &&
      !mm[2] &&
      !/\bsize\b/.test(low)
    )
      continue;
    if (!isLetter && /^\d+$/.test(raw) && /\b(?:years?|yrs?|months?)\s+old\b|\bturn(?:s|ing)?\b/.test(low)) continue;
    const item =
      itemOf(mm[2] === 'shoe' ? 'shoes' : mm[2]) ??
      nearbyItem(low.slice(mm.index!)) ??
      (isLetter ? 'shirt' : bra ? 'bra' : undefined);
    if (out.some((o) => (o.value as SizeValue).size === sized(raw))) continue;
    push(item, sized(raw), /\b(?:not|no longer)\b/.test(mm[0]));
  }

  // "I'm a medium in tops and a 10 in shoes": the second size borrows the verb of the first.
  if (out.length) {
    const more = rxg`\\band\\s+(?:a\\s+|an\\s+)?(?:size\\s+)?(${LETTER_WORDS}|${NUM_SIZE})\\s+(?:in\\s+)?(${ITEM_WORDS}|shoe)\\b`;
    for (const mm of low.matchAll(more)) push(itemOf(mm[2] === 'shoe' ? 'shoes' : mm[2]), sized(mm[1]!));
  }
  // Product searches: "a medium hoodie", "jeans in 32x32", "running shoes in size 10" (handled above).
  if (productContext || who !== 'self') {
    const adj = rxg`\\b(?:a|an|in)\\s+(${LETTER_WORDS})\\s+(?:\\w+\\s+)?(${ITEM_WORDS})\\b`;
    for (const mm of low.matchAll(adj)) if (!/^[lms]$/.test(mm[1]!)) push(itemOf(mm[2]), letterSize(mm[1]!));
    const inWL = rxg`\\b(${ITEM_WORDS})\\s+in\\s+(?:a\\s+)?(\\d{2}\\s*(?:x|\\/|by)\\s*\\d{2})\\b`;
    for (const mm of low.matchAll(inWL)) push(itemOf(mm[1]), numberSize(mm[2]!));
  }
  // "my pants are 34x32": waist by length needs no garment word
  if (!out.length && (m = low.match(/\b(?:are|is|'s|wear|wears|take|takes|size)\s+(?:a\s+)?(\d{2})\s*x\s*(\d{2})\b/)))
    push(nearbyItem(low) ?? 'pants', `${m[1]}x${m[2]}`);
  // "32x34 jeans" anywhere
  const wl = rxg`\\b(\\d{2})\\s*(?:x|\\/)\\s*(\\d{2})\\s+(${ITEM_WORDS})\\b`;
  for (const mm of low.matchAll(wl)) push(itemOf(mm[3]) ?? 'pants', `${mm[1]}x${mm[2]}`);

  // "my boots are a size 8" style: a garment named before the size.
  for (const d of out) {
    const v = d.value as SizeValue;
    if (v.item === 'clothing') v.item = nearbyItem(low) ?? 'clothing';
    if (/^\d{2}X\d{2}$/.test(v.size ?? '')) v.item = v.item === 'clothing' || v.item === 'shirt' ? 'pants' : v.item;
  }
  return out;
}

/** The garment a clause talks about, if exactly one kind is named. */
export function nearbyItem(low: string): string | undefined {
  const items = new Set<string>();
  for (const m of low.matchAll(rxg`\\b(${ITEM_WORDS}|shoe)\\b`)) {
    const it = itemOf(m[1] === 'shoe' ? 'shoes' : m[1]);
    if (it) items.add(it);
  }
  return items.size === 1 ? [...items][0] : undefined;
}
