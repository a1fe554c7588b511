/** Places the shopper states. */
import type { Clause } from './clauses.js';
import type { Draft } from './draft.js';

export function extractLocation(c: Clause, who: string): Draft[] {
  const m =
    c.raw.match(
      /^(?:i'm|im|i am|we're|we are)\s+(?:currently\s+|now\s+|still\s+)?(?:in|near|out in|over in|down in|up in)\s+([A-Z].+)$/i,
    ) ??
    c.raw.match(
      /\b(?:live|lives|living|reside|resides|residing|located|based|moved|moving|relocated|relocating|staying|settled)\s+(?:in|at|to|near|out in|over in|down in|up in)\s+(.+)$/i,
    ) ??
    c.raw.match(
      /\b(?:(?:am|i'm|im|is|are|we're|come|comes|originally)\s+(?:originally\s+)?from|address is|address's|home address is|zip code is|postcode is|home is in)\s*:?\s+(.+)$/i,
    );
  if (!m) return [];
  const verb = m[0].toLowerCase();
  let place = m[1]!;
  // Stop at the next thought, but keep the commas inside "Austin, Texas" and addresses.
  place = place
    .split(
      /\s*(?:[.;!?]|\s-\s|\b(?:and|but|so|because|since|with|now|anymore|any more|these days|for (?:now|work)|right now|last|this (?:year|month|week|spring|summer|fall|autumn|winter)|recently|a while|a few|(?:\d+|a|two|three|few) (?:years?|months?|weeks?) ago|years ago|in \d{4}|yesterday)\b|,\s*(?:and|but|so|i|we|can|could|please|what|any|my|do|is|are)\b)/i,
    )[0]!
    .trim();
  place = place.replace(/[,\s]+$/, '');
  if (!place) return [];
  const firstWord = place.split(/\s+/)[0]!;
  // "I'm from" and "based" need a proper name or an address; "live in" / "moved to" are strong enough.
  const strong = /live|lives|living|reside|address|moved|relocat|zip|postcode|home is|settled/.test(verb);
  if (!strong && (!/^[A-Z0-9]/.test(firstWord) || !c.cased)) return [];
  // "a small town in Vermont" is a place; "a hurry" or "my car" is not.
  if (strong && c.cased && /^(?:a|an|the)\s/i.test(place) && /\s[A-Z]/.test(place))
    place = place.replace(/^(?:a|an|the)\s+/i, '');
  if (
    /^(?:a|an|the|my|your|here|there|it|this|that|home|love|trouble|pain|hurry|different|new|wrong|changed|same|old|correct)\b/i.test(
      place,
    ) &&
    !/^(?:the bay area|the uk|the us|the usa|the netherlands)/i.test(place)
  )
    return [];
  if (place.split(/\s+/).length > 8) return [];
  return [{ about: who, kind: 'location', value: place.toLowerCase(), polarity: 'positive' }];
}
