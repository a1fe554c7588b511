// Content matching of product text against what a person said they like ("fly fishing", "candles").
import { singular } from '../conversation/wording.js';

// Besides the small words, the generic ones: "spicy food" is about spicy, not about food.
const STOP = new Set(
  'the and for with from that this your you are our all any not but its his her their them she him set of in on at to by or a an food foods dish dishes flavor flavors flavour flavours stuff thing things product products item items'.split(
    ' ',
  ),
);

/** Distinct content words of a text, lower case and singular: "Fly-Fishing Reels" -> fly, fishing, reel. */
export function contentWords(text: string): string[] {
  const out = new Set<string>();
  for (const raw of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw.length < 3 || STOP.has(raw) || /^\d+$/.test(raw)) continue;
    out.add(singular(raw));
  }
  return [...out];
}

/** Products whose words contain every content word of `phrase` (none when the phrase has no content word). */
export function productsMatching<P>(words: ReadonlyMap<string, P[]>, phrase: string): P[] {
  const want = contentWords(phrase);
  if (want.length === 0) return [];
  const lists = want.map((w) => words.get(w) ?? []).sort((a, b) => a.length - b.length);
  if (lists[0].length === 0) return [];
  const rest = lists.slice(1).map((l) => new Set(l));
  return lists[0].filter((p) => rest.every((s) => s.has(p)));
}
