/**
 * Fact extraction: rules over clauses. Each message is cut into clauses, each clause gets a
 * subject (the shopper, a relation like "dad", a name like "anna", or nobody for questions such as
 * "do you have gluten free pasta"), and small extractors read diet, allergy, size, like/dislike,
 * brand, budget, date, household and location out of it. Rules rather than a model because the
 * values must be normalised exactly and there is no labelled data to learn them from.
 *
 * Retractions ("forget my shoe size", "I'm not vegan anymore") produce polarity "retract" with the
 * value narrowed as far as the message does (see `Fact` in types.ts).
 */
import type { Allergen, Diet, Fact, FactKind, Intent, SizeValue } from './types.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary

const RELATIONS = [
  'mother-in-law',
  'father-in-law',
  'sister-in-law',
  'brother-in-law',
  'mother in law',
  'father in law',
  'in-laws',
  'in laws',
  'best friend',
  'grandmother',
  'grandfather',
  'granddaughter',
  'grandson',
  'grandkids',
  'grandchildren',
  'grandma',
  'grandpa',
  'granny',
  'grandad',
  'granddad',
  'nana',
  'papa',
  'mom',
  'mum',
  'mommy',
  'mummy',
  'mother',
  'dad',
  'daddy',
  'father',
  'stepmom',
  'stepdad',
  'stepson',
  'stepdaughter',
  'sister',
  'sis',
  'brother',
  'bro',
  'wife',
  'husband',
  'hubby',
  'spouse',
  'partner',
  'son',
  'daughter',
  'kids',
  'kid',
  'children',
  'child',
  'baby',
  'toddler',
  'boyfriend',
  'girlfriend',
  'bf',
  'gf',
  'fiance',
  'fiancee',
  'fiancé',
  'fiancée',
  'friend',
  'bestie',
  'boss',
  'coworker',
  'co-worker',
  'colleague',
  'roommate',
  'aunt',
  'auntie',
  'uncle',
  'niece',
  'nephew',
  'cousin',
  'parents',
  'twins',
  'teacher',
  'neighbor',
  'neighbour',
  'ex-wife',
  'ex-husband',
  'ex-boyfriend',
  'ex-girlfriend',
  'ex',
  'godson',
  'goddaughter',
  'family',
  'sons',
  'daughters',
  'nephews',
  'nieces',
  'brothers',
  'sisters',
  'friends',
  'cousins',
  'grandparents',
  'teen',
  'teenager',
  'guy',
  'girl',
  'boy',
];
const REL = RELATIONS.map((r) => r.replace(/[-]/g, '[- ]')).join('|');
const REL_RE = new RegExp(`^(?:${REL})$`);

/** Capitalised words that are not names when they open a clause. */
const NOT_NAMES = new Set(
  (
    'i me my we our you your he she they his her their it this that these those the a an and but so or ' +
    'what when where why how which who is are am was do does did can could would will should have has ' +
    'any some please thanks thank hi hello hey ok okay yes no not just also maybe every everyone ' +
    'nobody somebody someone anyone everything nothing something find show looking need want get give ' +
    'help send tell let recommend suggest surprise stop start forget delete remove my our dad mom love ' +
    'like hate never only always fyi btw by oh well honestly actually really big not allergic wheat ' +
    'veggie vegan gluten keto paleo kosher halal our none'
  ).split(' '),
);

const MONTH: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH_RE =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
};

const DIETS: [RegExp, Diet][] = [
  [/\b(vegan|veganism|plant[- ]based)\b/, 'vegan'],
  [
    /\b(vegetarian|vegitarian|vegetarians|veggie|veggies|do not eat meat|don't eat meat|doesn't eat meat|does not eat meat|no longer eat meat|stopped eating meat)\b/,
    'vegetarian',
  ],
  [/\b(pescatarian|pescetarian|pescatarians)\b/, 'pescatarian'],
  [
    /\b(gluten[- ]?free|celiac|coeliac|no gluten|(?:don't|doesn't|do not|does not|never) eats? gluten)\b/,
    'gluten_free',
  ],
  [/\b(keto|ketogenic)\b/, 'keto'],
  [/\b(paleo)\b/, 'paleo'],
  [/\b(dairy[- ]?free|no dairy|(?:don't|doesn't|do not|does not|never) (?:eat|eats|do|does) dairy)\b/, 'dairy_free'],
  [/\b(low[- ]?sugar|sugar[- ]free|no sugar|diabetic|diabetes)\b/, 'low_sugar'],
  [/\b(halal)\b/, 'halal'],
  [/\b(kosher)\b/, 'kosher'],
];

const ALLERGENS: [RegExp, Allergen][] = [
  [/^(peanuts?|peanut butter|groundnuts?)$/, 'peanuts'],
  [
    /^(tree[- ]?nuts?|nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?|macadamias?|macadamia nuts|brazil nuts)$/,
    'tree_nuts',
  ],
  [/^(shellfish|shrimps?|prawns?|crabs?|lobsters?|clams?|mussels?|oysters?|scallops?|crustaceans?)$/, 'shellfish'],
  [/^(dairy|milk|lactose|cheese|cow'?s milk|dairy products)$/, 'dairy'],
  [/^(eggs?)$/, 'eggs'],
  [/^(soy|soya|soybeans?|soy beans?)$/, 'soy'],
  [/^(gluten)$/, 'gluten'],
  [/^(fish|salmon|tuna|cod|seafood)$/, 'fish'],
  [/^(wheat)$/, 'wheat'],
  [/^(sesame|sesame seeds?|tahini)$/, 'sesame'],
];
const ALLERGEN_WORDS =
  'peanuts?|peanut butter|tree[- ]?nuts?|nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?|shellfish|shrimps?|prawns?|crabs?|lobsters?|clams?|mussels?|oysters?|scallops?|dairy|milk|lactose|cheese|eggs?|soy|soya|soybeans?|gluten|fish|salmon|tuna|seafood|wheat|sesame(?: seeds?)?|tahini';

/** Garment words and the item they are filed under. */
const ITEMS: [RegExp, string][] = [
  [/^(shoes?|sneakers?|trainers?|boots?|heels|sandals?|loafers?|footwear|runners|feet|foot)$/, 'shoes'],
  [/^(pants|jeans|trousers|slacks|chinos|leggings)$/, 'pants'],
  [/^(shirts?|t-?shirts?|tees?|tops?|blouses?|polos?|tshirts?)$/, 'shirt'],
  [/^(dress|dresses)$/, 'dress'],
  [/^(rings?)$/, 'ring'],
  [/^(jackets?)$/, 'jacket'],
  [/^(coats?)$/, 'coat'],
  [/^(sweaters?|jumpers?)$/, 'sweater'],
  [/^(hoodies?|sweatshirts?)$/, 'hoodie'],
  [/^(skirts?)$/, 'skirt'],
  [/^(shorts)$/, 'shorts'],
  [/^(bras?)$/, 'bra'],
  [/^(hats?|caps?)$/, 'hat'],
  [/^(gloves?)$/, 'gloves'],
  [/^(socks?)$/, 'socks'],
  [/^(suits?|blazers?)$/, 'suit'],
  [/^(belts?)$/, 'belt'],
  [/^(swimsuits?|bikinis?)$/, 'swimsuit'],
];
const ITEM_WORDS =
  'feet|foot|shoes?|sneakers?|trainers?|boots?|heels|sandals?|loafers?|footwear|pants|jeans|trousers|slacks|chinos|leggings|shirts?|t-?shirts?|tees?|tops?|blouses?|polos?|dress|dresses|rings?|jackets?|coats?|sweaters?|jumpers?|hoodies?|sweatshirts?|skirts?|shorts|bras?|hats?|gloves?|socks?|suits?|blazers?|belts?|swimsuits?|bikinis?|clothes|clothing';

const LETTER_SIZES: [RegExp, string][] = [
  [/^(xxxl|3xl|xxx-?large)$/, 'XXXL'],
  [/^(xxl|2xl|xx-?large|extra extra large|double xl)$/, 'XXL'],
  [/^(xl|x-?large|extra[- ]large)$/, 'XL'],
  [/^(xxs|2xs|extra extra small)$/, 'XXS'],
  [/^(xs|x-?small|extra[- ]small)$/, 'XS'],
  [/^(l|large|lg)$/, 'L'],
  [/^(m|medium|med)$/, 'M'],
  [/^(s|small|sm)$/, 'S'],
];
const LETTER_WORDS =
  'xxxl|3xl|xxx-?large|xxl|2xl|xx-?large|extra extra large|xl|x-?large|extra[- ]large|xxs|xs|x-?small|extra[- ]small|large|medium|small|l|m|s';

/** Brands we recognise by name; capitalised unknown words after "buy"/"wear" are treated as brands too. */
const BRANDS = new Set(
  (
    'nike|adidas|puma|reebok|new balance|asics|under armour|under armor|lululemon|patagonia|north face|the north face|columbia|' +
    "arcteryx|arc'teryx|levi's|levis|levi|gap|old navy|zara|h&m|uniqlo|shein|forever 21|banana republic|j.crew|j crew|" +
    'ralph lauren|polo ralph lauren|tommy hilfiger|calvin klein|gucci|prada|chanel|louis vuitton|coach|michael kors|' +
    'kate spade|vans|converse|crocs|birkenstock|ugg|dr. martens|doc martens|timberland|skechers|allbirds|hoka|brooks|' +
    'apple|samsung|sony|lg|google|microsoft|dell|hp|lenovo|asus|bose|beats|jbl|sonos|dyson|kitchenaid|le creuset|' +
    'cuisinart|ninja|instant pot|vitamix|keurig|nespresso|breville|smeg|ikea|west elm|pottery barn|crate and barrel|' +
    'wayfair|amazon|walmart|target|costco|etsy|lego|mattel|fisher-price|hasbro|nintendo|playstation|xbox|fitbit|garmin|' +
    "canon|nikon|gopro|yeti|hydro flask|stanley|le labo|glossier|sephora|ulta|clinique|estee lauder|l'oreal|" +
    "the ordinary|cerave|neutrogena|dove|olay|aveda|lush|bath and body works|victoria's secret|aerie|american eagle|" +
    'abercrombie|hollister|everlane|madewell|anthropologie|free people|urban outfitters|nordstrom|rei|carhartt|' +
    'wrangler|champion|fila|oakley|ray-ban|rayban|tesla|starbucks|nestle|hershey|lindt|godiva|oreo|kraft|heinz|' +
    "coca-cola|pepsi|red bull|ben & jerry's|trader joe's|whole foods|kenzo|burberry|hermes|dior|versace|balenciaga|" +
    'fendi|armani|hugo boss|boss|diesel|mango|asos|primark|next|marks and spencer|m&s|john lewis|muji|ikea|bodum|' +
    'oxo|pyrex|tupperware|philips|panasonic|bosch|miele|weber|traeger|peloton|oura|kindle|fossil|casio|seiko|rolex|' +
    'swatch|pandora|tiffany|swarovski|kylie|fenty|mac|nars|benefit|rare beauty|drunk elephant|the body shop'
  ).split('|'),
);

const HOUSEHOLD_NOUNS =
  'kids?|children|child|sons?|daughters?|bab(?:y|ies)|toddlers?|newborns?|infants?|teens?|teenagers?|twins|triplets|' +
  'dogs?|pupp(?:y|ies)|cats?|(?:golden |labrador )?retrievers?|labradors?|labs?|poodles?|terriers?|spaniels?|bulldogs?|beagles?|huskies|husky|dachshunds?|corgis?|(?:german )?shepherds?|chihuahuas?|pugs?|doodles?|goldfish|tortoises?|turtles?|lizards?|snakes?|' +
  'kittens?|pets?|birds?|parrots?|hamsters?|rabbits?|bunn(?:y|ies)|guinea pigs?|' +
  '(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ](?:year|month|week)[- ]olds?|' +
  'roommates?|flatmates?|stepkids|stepchildren|grandkids|grandchildren|boys|girls|little ones';

// ---------------------------------------------------------------------------------------------
// Text helpers

/**
 * Patterns built from word lists, compiled once per call site: the classifier runs every example
 * through here, and rebuilding the long alternations each time was most of the training time.
 * Only for templates whose interpolated values are constants.
 */
const compiled = new WeakMap<TemplateStringsArray, RegExp>();
function build(flags: string, strings: TemplateStringsArray, values: unknown[]): RegExp {
  let r = compiled.get(strings);
  if (!r) {
    r = new RegExp(
      strings.reduce((acc, part, i) => acc + part + (i < values.length ? String(values[i]) : ''), ''),
      flags,
    );
    compiled.set(strings, r);
  }
  return r;
}
const rx = (strings: TemplateStringsArray, ...values: unknown[]) => build('', strings, values);
const rxg = (strings: TemplateStringsArray, ...values: unknown[]) => build('g', strings, values);

const ARTICLE = /^(?:a|an|the|some|any)\s+/;

/** Lower-case, straight apostrophes, single spaces; keeps length close to the original. */
function prep(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function cleanPhrase(s: string): string {
  let v = s.toLowerCase().trim();
  v = v.replace(/^["'(]+|["')]+$/g, '').trim();
  let prev = '';
  while (prev !== v) {
    prev = v;
    v = v
      .replace(ARTICLE, '')
      .replace(
        /^(?:really|just|also|all|pretty much|basically|totally|anything|everything|all things|all kinds of|any kind of|any type of|most things|things)\s+(?:(?:with|about|related to|involving)\s+)?/,
        '',
      )
      .replace(
        /\s+(?:a lot|so much|very much|too|as well|lately|these days|nowadays|right now|now|anymore|any ?more|in general|the most|more than anything|really|though|again|very|a bunch|like crazy)$/,
        '',
      )
      .replace(/[\s,.!?;:]+$/, '')
      .trim();
  }
  return v;
}

function wordNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return NUMBER_WORDS[s];
}

/** Split "yoga, pilates and hiking" into items; short phrases only, so "mac and cheese" style is rare. */
function splitList(s: string): string[] {
  const parts = s.split(/\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*|\s+as well as\s+)\s*/);
  return parts.map(cleanPhrase).filter((p) => p.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Clauses and subjects

interface Clause {
  /** Original casing, used to spot names and brands. */
  raw: string;
  /** Lower case with contractions kept ("i'm", "don't"). */
  low: string;
  /** self, a relation, a name, or null when the clause is a question to us or has no person. */
  subject: string | null;
  /** Where the clause starts in the whole message. */
  start: number;
  /** False when the message is all capitals, so capitals say nothing about names or brands. */
  cased: boolean;
}

/** Where a clause starts a new thought: sentence ends, and ", / and / but" followed by a subject. */
const SUBJECT_START = `(?:i|i'm|im|i've|i'd|we|we're|we've|our|my|he|she|he's|she's|they|they're|his|her|their|who|whose)\\b`;
const CLAUSE_SPLIT = new RegExp(
  `(?:[.;!?]+\\s+|[.;!?]+$|\\s+-+\\s+|\\s*,\\s*(?=(?:and\\s+|but\\s+|so\\s+|also\\s+|plus\\s+)?${SUBJECT_START})|\\s+(?:and|but|so|plus|also)\\s+(?=${SUBJECT_START}|now\\b)|,\\s*(?=now\\b)|\\s+(?=who\\b))`,
  'i',
);

const FILLER =
  /^(?:and|but|so|also|plus|oh|well|ok|okay|yes|yeah|hey|hi|hello|fyi|btw|by the way|just so you know|just fyi|heads up|note that|remember that|actually|honestly|also|anyway|now|currently|lately|because|cause|cuz|since|though|as you know|for the record|to be clear|just)\b[,:]?\s*/i;

function splitClauses(text: string): string[] {
  return text
    .split(CLAUSE_SPLIT)
    .map((c) => (c ?? '').trim())
    .filter((c) => c.length > 0);
}

function isName(word: string, raw: string): boolean {
  return (
    /^[A-Z][a-z]+$/.test(raw) && !NOT_NAMES.has(word) && !REL_RE.test(word) && !(word in MONTH) && !BRANDS.has(word)
  );
}

/** Normalise a relation as said: "mom's" -> "mom", "mother in law" -> "mother-in-law". */
function relationKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/'s$/, '')
    .replace(/(mother|father|sister|brother) in law/, '$1-in-law')
    .replace(/in laws/, 'in-laws');
}

/** The people a message mentions, in order, so "he"/"she" can be resolved to the last one. */
function mentions(raw: string): { who: string; at: number }[] {
  const out: { who: string; at: number }[] = [];
  const low = raw.toLowerCase();
  // "my friend Sara" names the person by name.
  const named = rxg`\\b(?:my|our|a)\\s+(?:${REL})\\s+([A-Z][a-z]+)\\b`;
  const namedHits = new Set<number>();
  for (const m of raw.matchAll(named)) {
    if (!isName(m[1]!.toLowerCase(), m[1]!)) continue;
    out.push({ who: m[1]!.toLowerCase(), at: m.index! });
    namedHits.add(m.index!);
  }
  const rel = rxg`\\b(?:my|our|a|for|to)\\s+((?:${REL}))(?:'s)?\\b`;
  for (const m of low.matchAll(rel)) if (!namedHits.has(m.index!)) out.push({ who: relationKey(m[1]!), at: m.index! });
  // Names: a capitalised word in a person slot ("Anna loves", "Jake's birthday", "for Priya").
  const nameSlot =
    /(?:^|[\s,])(?:for |about |to |get |buy )?([A-Z][a-z]+)(?='s\b|\s+(?:loves?|likes?|hates?|adores?|enjoys?|is|wears?|was|has|turns|does|doesn't|can't|prefers|swears|really|only|never)\b)/g;
  for (const m of raw.matchAll(nameSlot)) {
    const w = m[1]!.toLowerCase();
    if (isName(w, m[1]!) && !out.some((o) => o.who === w)) out.push({ who: w, at: m.index! });
  }
  const forName = /\b(?:for|about|get|buy)\s+([A-Z][a-z]+)\b/g;
  for (const m of raw.matchAll(forName)) {
    const w = m[1]!.toLowerCase();
    if (isName(w, m[1]!) && !out.some((o) => o.who === w)) out.push({ who: w, at: m.index! });
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Who a clause is about, from how it opens. `last` is the person most recently mentioned, for
 * pronouns. Questions to us ("do you have...", "what should I...") get no subject.
 */
function clauseSubject(raw: string, last: string | null): string | null {
  let s = raw;
  let prev = '';
  while (prev !== s) {
    prev = s;
    s = s.replace(FILLER, '');
  }
  // "forget that my mom loves roses" is about mom: look past the request to the fact it names.
  s = s.replace(
    /^(?:please\s+)?(?:(?:you can|can you|could you)\s+)?(?:forget|delete|remove|erase|scratch|ignore)\s+(?:about\s+)?(?:the fact\s+)?(?:that\s+|what i said about\s+)?/i,
    '',
  );
  s = s.replace(/^(?:both|all|all of|both of|each of)\s+(?=my|our)/i, '');
  const low = s.toLowerCase();
  let m: RegExpMatchArray | null;
  if (/^(?:i|i'm|im|i've|i'd|me|we|we're|we've|us|our|myself|ourselves)\b/.test(low)) return 'self';
  if ((m = low.match(rx`^(?:my|our)\\s+(?:${REL})\\s+([a-z]+)\\b`)) && isName(m[1]!, s.split(/\s+/)[2] ?? ''))
    return m[1]!;
  if ((m = low.match(rx`^(?:my|our)\\s+(${REL})(?:'s)?\\b`))) return relationKey(m[1]!);
  if (/^my\b/.test(low)) return 'self'; // "my shoe size is 10", "my favourite colour is green"
  if (/^(?:he|she|they|he's|she's|they're|his|her|their|who|whose|him)\b/.test(low)) return last;
  if ((m = low.match(rx`^(${REL})(?:'s)?\\b`))) return relationKey(m[1]!);
  const first = s.match(/^([A-Za-z]+)/)?.[1] ?? '';
  if (
    first &&
    isName(first.toLowerCase(), first) &&
    /^[A-Za-z]+(?:'s\b|\s+(?:loves?|likes?|hates?|adores?|enjoys?|is|wears?|was|has|turns|does|doesn't|can't|prefers|swears|really|only|never|just)\b)/.test(
      s,
    )
  ) {
    return first.toLowerCase();
  }
  // Questions and requests to us.
  if (
    /^(?:what|when|where|why|how|which|who|do|does|did|can|could|would|will|is|are|should|you|your|any|show|find|got|have|has|search|searching|looking|need|want|give|get|help|recommend|suggest|pick|please|tell|send)\b/.test(
      low,
    )
  )
    return null;
  // Verbless openings such as "allergic to soy", "big fan of jazz", "veggie here": the shopper.
  return 'self';
}

// ---------------------------------------------------------------------------------------------
// Extractors. Each returns facts for one clause; `who` is the clause subject.

/** `settled`: already final, not to be turned into a retraction by "done with"/"anymore" in the clause. */
type Draft = {
  about: string;
  kind: FactKind;
  value: Fact['value'];
  polarity: 'positive' | 'negative';
  settled?: boolean;
};

/** Words that may follow a diet word when it describes a person rather than a product. */
const DIET_FOLLOWERS = new Set(
  (
    'diet diets here now and at household family home lately too since for but so person these anymore any more again ' +
    'mostly only strictly though as because cause disease i we he she btw actually recently this last currently ' +
    'lifestyle eater guy girl kid kids boy or nowadays for life months years weeks days year month week'
  ).split(' '),
);

function extractDiet(c: Clause, who: string): Draft[] {
  const out: Draft[] = [];
  for (const [re, diet] of DIETS) {
    const m = c.low.match(re);
    if (!m) continue;
    const after = c.low.slice(m.index! + m[0].length).trim();
    const next = after.match(/^[a-z]+/)?.[0];
    const eats = /\b(?:eat|eats|eating|ate|cook|cooks|cooking)\b/.test(c.low.slice(0, m.index));
    // "gluten free pasta" is a product; "gluten free at home", "gluten free diet" is a person.
    if (next && !DIET_FOLLOWERS.has(next) && !(eats && /^(?:food|foods|meals?|stuff|only)$/.test(next))) continue;
    if (m[0] === 'veggies') continue; // vegetables, not a diet
    const negated = new RegExp(
      `\\b(?:not|n't|never|no)\\s+(?:a\\s+|an\\s+|on\\s+a\\s+|really\\s+|strictly\\s+)?${m[0].replace(/[-]/g, '.')}`,
    ).test(c.low);
    out.push({ about: who, kind: 'diet', value: diet, polarity: negated ? 'negative' : 'positive' });
  }
  return out;
}

function allergenOf(s: string): Allergen | undefined {
  const v = cleanPhrase(s).replace(/\s+allerg\w*$/, '');
  for (const [re, a] of ALLERGENS) if (re.test(v)) return a;
  return undefined;
}

function extractAllergy(c: Clause, who: string): Draft[] {
  const found = new Set<Allergen>();
  // "allergic to peanuts, milk and eggs", "allergy to shellfish", "intolerant to dairy"
  const to = rxg`\\b(?:allergic|allergy|allergies|intolerant|intolerance|sensitive|sensitivity|reaction|react\\w*(?:\\s+badly)?)\\s+(?:to|from)\\s+((?:(?:${ALLERGEN_WORDS})(?:\\s*,\\s*|\\s+and\\s+|\\s+or\\s+|\\s*&\\s*)?)+)`;
  for (const mm of c.low.matchAll(to))
    for (const part of splitList(mm[1]!)) {
      const a = allergenOf(part);
      if (a) found.add(a);
    }
  // "a peanut allergy", "shellfish allergies", "lactose intolerant", "nut intolerance"
  const before = rxg`\\b(${ALLERGEN_WORDS})[- ](?:allergy|allergies|allergic|intolerance|intolerant)\\b`;
  for (const mm of c.low.matchAll(before)) {
    const a = allergenOf(
      mm[1]!
        .replace(/^peanut$/, 'peanuts')
        .replace(/^nut$/, 'nuts')
        .replace(/^egg$/, 'eggs'),
    );
    if (a) found.add(a);
  }
  // "I can't eat shellfish", "she can't have dairy": an allergy in everyday words.
  const cant = rxg`\\b(?:can't|cannot|can not|shouldn't|should not|mustn't|must not)\\s+(?:eat|have|touch|tolerate|digest|handle)\\s+(?:any\\s+)?((?:(?:${ALLERGEN_WORDS})(?:\\s*,\\s*|\\s+and\\s+|\\s+or\\s+)?)+)`;
  for (const mm of c.low.matchAll(cant))
    for (const part of splitList(mm[1]!)) {
      const a = allergenOf(part);
      if (a) found.add(a);
    }
  const negated = /\b(?:not|n't|no longer|never)\s+(?:\w+\s+)?(?:allergic|intolerant)\b/.test(c.low);
  return [...found].map((a) => ({
    about: who,
    kind: 'allergy' as const,
    value: a,
    polarity: negated ? ('negative' as const) : ('positive' as const),
  }));
}

function itemOf(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const w = word.toLowerCase();
  for (const [re, item] of ITEMS) if (re.test(w)) return item;
  if (/^(clothes|clothing)$/.test(w)) return 'clothing';
  return undefined;
}

function letterSize(s: string): string | undefined {
  const v = s.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [re, size] of LETTER_SIZES) if (re.test(v)) return size;
  return undefined;
}

function numberSize(s: string): string {
  return s
    .toLowerCase()
    .replace(/\s*(?:and a half|1\/2|½)$/, '.5')
    .replace(/\s+\.5$/, '.5')
    .replace(/\s*(?:x|\/|by)\s*/, 'x')
    .toUpperCase()
    .replace(/(\d)X(\d)/, '$1x$2');
}

const NUM_SIZE = `\\d{1,2}(?:\\.5|\\s*(?:1\\/2|½|and a half))?(?:\\s*(?:x|\\/|by)\\s*\\d{2})?(?:t|[a-h]{1,2}|w)?`;

function extractSize(c: Clause, who: string, productContext: boolean): Draft[] {
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
function nearbyItem(low: string): string | undefined {
  const items = new Set<string>();
  for (const m of low.matchAll(rxg`\\b(${ITEM_WORDS}|shoe)\\b`)) {
    const it = itemOf(m[1] === 'shoe' ? 'shoes' : m[1]);
    if (it) items.add(it);
  }
  return items.size === 1 ? [...items][0] : undefined;
}

/** Verbs of liking; `neg` marks ones that mean disliking. Longest first so "not a fan of" wins over "fan of". */
const LIKE_VERBS: { re: string; neg: boolean }[] = [
  {
    re: `(?:do not|don't|does not|doesn't|did not|didn't)\\s+(?:really\\s+)?(?:like|love|enjoy|care for|dig)`,
    neg: true,
  },
  { re: `(?:can't|cannot|can not|could not|couldn't)\\s+stand`, neg: true },
  {
    re: `(?:(?:am|is|are|i'm|im|he's|she's|we're|they're)?\\s*not|isn't|aren't|ain't|wasn't)\\s+(?:really\\s+|much\\s+of\\s+)?(?:a\\s+)?(?:big\\s+|huge\\s+)?(?:fan|fans)\\s+of`,
    neg: true,
  },
  {
    re: `(?:(?:am|is|are|i'm|im|he's|she's|we're|they're)?\\s*not|isn't|aren't|ain't|wasn't)\\s+(?:really\\s+|very\\s+|too\\s+)?(?:into|big on|keen on|crazy about|fond of)`,
    neg: true,
  },
  {
    re: `(?:really\\s+|absolutely\\s+|kind of\\s+|kinda\\s+)?(?:hate|hates|hated|dislike|dislikes|despise|despises|detest|detests|loathe|loathes)`,
    neg: true,
  },
  {
    re: `(?:am|is|are|i'm|im|he's|she's|we're|they're)\\s+(?:really\\s+|totally\\s+|super\\s+|so\\s+|very\\s+|big\\s+|huge\\s+|getting\\s+|also\\s+)?(?:into|obsessed with|crazy about|passionate about|mad about|fond of|keen on|big on|nuts about)`,
    neg: false,
  },
  { re: `(?:a\\s+)?(?:big|huge|massive|great)\\s+fans?\\s+of`, neg: false },
  { re: `fans?\\s+of`, neg: false },
  {
    re: `(?:really\\s+|also\\s+|absolutely\\s+|just\\s+|totally\\s+|kinda\\s+|still\\s+|both\\s+|all\\s+)?(?:love|loves|loved|adore|adores|enjoy|enjoys|like|likes|liked|dig|digs|prefer|prefers|swear by|swears by|(?:am|is|are|i'm|im|he's|she's|we're)\\s+(?:very\\s+|really\\s+)?loyal to)`,
    neg: false,
  },
  { re: `(?:really\\s+|also\\s+)?into`, neg: false },
];

const likeVerbCache = new Map<string, RegExp>();
function likeVerbRe(verb: string): RegExp {
  let r = likeVerbCache.get(verb);
  if (!r) likeVerbCache.set(verb, (r = new RegExp(`(^|[\\s,])(${verb})\\s+(.+)$`, 'g')));
  return r;
}

/** Objects that are not a preference: pronouns, and "I'd like to return..." style requests. */
const NOT_AN_OBJECT =
  /^(?:it|that|this|them|those|these|you|u|your|yours|him|her|me|us|one|ones|the idea|to (?:return|cancel|know|order|buy|get|see|talk|speak|change|track|have|receive|exchange|send|pay|ask|find|check|add|remove|make|update)\b|when|how|what|if|shopping with you|your)\b/;

function extractLikes(c: Clause, who: string, retracting: boolean): Draft[] {
  const out: Draft[] = [];
  const low = c.low;
  // Verb spans already used, so "fan of" inside "not a fan of" is not read again.
  const claimed: [number, number][] = [];
  for (const { re, neg } of LIKE_VERBS) {
    const verb = likeVerbRe(re);
    for (const m of low.matchAll(verb)) {
      const start = m.index! + m[1]!.length;
      if (claimed.some(([a, b]) => start >= a && start < b)) continue;
      const verbText = m[2]!.trim();
      const before = low.slice(0, start);
      // "I'd like", "would love", "you like", "what do you like": requests or questions, not preferences.
      if (
        /(?:'d|would|you|u|to|if|what|which|might|may|will|'ll|i think|think|looks?|seems?|feels?|something|anything|stuff|things|sounds?)\s*$/.test(
          before,
        )
      )
        continue;
      // Bare "like" is a preposition as often as a verb ("something like this"): only after a subject.
      if (
        /^(?:like|liked)$/.test(verbText) &&
        !/(?:^|\s)(?:i|we|they|who|do|did|really|also|just|kinda|totally|still|both|all|longer|never|[a-z]+s)\s*$/.test(
          before,
        ) &&
        before.trim() !== ''
      )
        continue;
      if (
        /^into$/.test(verbText) &&
        !/(?:really|also|totally|super|very|getting|so)\s*$/.test(before) &&
        before.trim() !== ''
      )
        continue;
      let obj = m[3]!;
      obj = obj.split(
        /\s*(?:[,.;!?]|\s-\s|\b(?:but|so|because|since|though|although|which|that is|when|if|for (?:his|her|my|their|our) (?:birthday|anniversary)|any (?:ideas?|suggestions?|recommendations?|good)|what|can you|could you|please|right now|lately)\b)/,
      )[0]!;
      obj = obj.replace(/\s+(?:over|rather than|more than|instead of)\s+.*$/, '');
      if (NOT_AN_OBJECT.test(obj.trim())) continue;
      claimed.push([start, start + m[2]!.length]);
      // Keep the original casing of the object to tell brands ("Patagonia") from things ("hiking").
      const rawStart = c.raw.toLowerCase().indexOf(obj, start);
      const rawObj = rawStart >= 0 ? c.raw.slice(rawStart, rawStart + obj.length) : obj;
      const negated = neg;
      for (const item of splitList(obj)) {
        if (!item || item.split(' ').length > 6 || NOT_AN_OBJECT.test(item)) continue;
        const brand = brandOf(item, rawObj, c.cased);
        if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: negated ? 'negative' : 'positive' });
        else {
          // "I don't like jazz anymore" retracts the like, it does not add a dislike.
          const kind: FactKind =
            negated && !retracting
              ? 'dislike'
              : negated && retracting
                ? /(hate|dislike|despise|detest|loathe)/.test(verbText)
                  ? 'dislike'
                  : 'like'
                : 'like';
          out.push({ about: who, kind, value: item, polarity: kind === 'dislike' ? 'negative' : 'positive' });
        }
      }
    }
  }
  // "I like dark chocolate but not milk chocolate"
  const butNot = low.match(/\bbut not\s+([^,.;!?]+)/);
  if (butNot && out.some((d) => d.kind === 'like' || (d.kind === 'brand' && d.polarity === 'positive'))) {
    for (const item of splitList(butNot[1]!)) {
      const brand = brandOf(item, item, false);
      out.push(
        brand
          ? { about: who, kind: 'brand', value: brand, polarity: 'negative' }
          : { about: who, kind: 'dislike', value: item, polarity: 'negative' },
      );
    }
  }
  // "my favourite colour is green", "my favorite brand is Nike"
  const fav = low.match(/\bfavou?rite\s+(\w+(?:\s+\w+)?)\s+(?:is|are)\s+([^,.;!?]+)/);
  if (fav) {
    const [, what, val] = fav;
    const raw = c.raw.slice(c.raw.toLowerCase().indexOf(val!), c.raw.toLowerCase().indexOf(val!) + val!.length);
    const brand = brandOf(cleanPhrase(val!), raw, c.cased) ?? (what === 'brand' ? cleanPhrase(val!) : undefined);
    if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: 'positive' });
    else for (const item of splitList(val!)) out.push({ about: who, kind: 'like', value: item, polarity: 'positive' });
  }
  // "my brother is a huge football fan", "I'm a big Samsung person"
  const fanOf = low.match(
    /\b(?:am|is|are|i'm|im|he's|she's|we're|they're)\s+(?:(?:a|an)\s+)?(?:big\s+|huge\s+|massive\s+|total\s+|die-?hard\s+|such\s+)?((?!not\b|allergic\b)[a-z0-9'&.-]+(?:\s+[a-z0-9'&.-]+){0,2}?)\s+(?:fans?|lovers?|addicts?|person|people|guy|girl|junkies?|fanatics?|enthusiasts?)\b/,
  );
  if (fanOf && !/\b(?:size|small|medium|large)\b/.test(fanOf[1]!)) {
    const rawStart = c.raw.toLowerCase().indexOf(fanOf[1]!);
    const brand = brandOf(fanOf[1]!, c.raw.slice(rawStart, rawStart + fanOf[1]!.length), c.cased);
    if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: 'positive' });
    else if (!/^(?:picky|big|good|huge|early|night|morning|people|dog|cat)$/.test(fanOf[1]!))
      out.push({ about: who, kind: 'like', value: cleanPhrase(fanOf[1]!), polarity: 'positive' });
  }
  return out;
}

/** Generic goods after a brand name: "Apple products", "Craftsman tools", "IKEA furniture". */
const PRODUCT_SUFFIX =
  /\s+(?:products?|stuff|gear|brand|items|things|clothes|clothing|shoes|phones?|laptops?|sneakers|tools|furniture|makeup|cosmetics|electronics|appliances|bags|watches|jeans|boots|trainers|sportswear|skincare|coffee|chocolate)$/i;

/** A brand when it is a known brand, or written with a capital inside the sentence. */
function brandOf(item: string, rawObj: string, cased = true): string | undefined {
  // "Apple products", "Nike stuff": the brand is the first word(s).
  const v = item
    .toLowerCase()
    .replace(/^the\s+/, '')
    .replace(PRODUCT_SUFFIX, '');
  if (BRANDS.has(v)) return v;
  // An unknown capitalised name counts as a brand only with goods after it ("Craftsman tools");
  // alone it is as likely a franchise, a band or a place ("Pokemon", "Taylor Swift", "Paris").
  const trimmed = rawObj.trim().replace(ARTICLE, '');
  const raw = trimmed.replace(PRODUCT_SUFFIX, '');
  if (
    cased &&
    raw !== trimmed &&
    /^[A-Z][a-zA-Z'&.]+(?:\s+[A-Z][a-zA-Z'&.]+)?$/.test(raw) &&
    !/^(?:I|My|The)$/.test(raw) &&
    !(v in MONTH)
  ) {
    return v;
  }
  return undefined;
}

function extractBrandBuying(c: Clause, who: string): Draft[] {
  const out: Draft[] = [];
  const re =
    /\b(never|only|always|mostly|exclusively|refuse to|won't|will not|don't|do not|no longer|stopped)?\s*(?:buy|buys|buying|wear|wears|wearing|use|uses|using|shop at|shops at|shop|shopping at|order from|orders from|boycott|boycotting|avoid|avoiding|done with|sick of|fed up with|over|through with|loyal to)\s+(?:(?:anything|everything|stuff|products|things|items)\s+(?:from|by|made by)\s+)?([A-Za-z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)?)(?:\s+(?:again|anymore|products|stuff|clothes|shoes|brand))?/gi;
  for (const m of c.raw.matchAll(re)) {
    const mod = (m[1] ?? '').toLowerCase();
    const word = m[2]!;
    const low = word.toLowerCase();
    const known = BRANDS.has(low) || BRANDS.has(low.split(' ')[0]!);
    const capital = c.cased && /^[A-Z]/.test(word) && !NOT_NAMES.has(low.split(' ')[0]!);
    if (!known && !capital) continue;
    const value = known ? (BRANDS.has(low) ? low : low.split(' ')[0]!) : low;
    const fedUp = /done with|sick of|fed up with|\bover\b|through with/i.test(m[0]);
    if (fedUp && !known) continue;
    const verbNeg = /boycott|avoid/i.test(m[0]) || fedUp;
    const negative = verbNeg || /never|refuse|won't|will not|don't|do not/.test(mod);
    if (!mod && !verbNeg && !known && !/loyal/i.test(m[0])) continue; // "I buy Stuff" is too weak without "only/always"
    // "I'm done with Amazon" is a standing dislike of the brand, not a retraction.
    out.push({ about: who, kind: 'brand', value, polarity: negative ? 'negative' : 'positive', settled: fedUp });
  }
  return out;
}

const CURRENCY: [RegExp, string][] = [
  [/\$|dollars?|bucks|usd/, 'USD'],
  [/£|pounds?|gbp|quid/, 'GBP'],
  [/€|euros?|eur\b/, 'EUR'],
];

function parseAmount(num: string, k?: string): number {
  const n = Number(num.replace(/,/g, ''));
  return k ? n * 1000 : n;
}

const MONEY = `(?:([$£€])\\s?(\\d[\\d,]*(?:\\.\\d+)?)(k)?|(\\d[\\d,]*(?:\\.\\d+)?)(k)?\\s?(dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid)\\b)`;
const MONEY_RE = new RegExp(MONEY);
const BUDGET_CUE = `(?:(?:can't|cannot|can not|don't want to|do not want to|won't|will not|not willing to|unwilling to|rather not)\\s+(?:spend|pay)\\s+(?:more than|over|above|much more than)|(?:spend|pay)\\s+(?:up to|at most|no more than|max(?:imum)?)|under|below|less than|no more than|not more than|nothing (?:over|above|more than)|max(?:imum)?(?: of)?|up to|at most|within|budget(?: is| of|:)?|around|about|spend(?:ing)?|cheaper than|tops|for under|for less than|(?:my|our|the) budget is|budget's|no higher than|not over|not above)`;

function currencyOf(sym: string | undefined): string {
  const v = (sym ?? '').toLowerCase();
  return CURRENCY.find(([re]) => re.test(v))?.[1] ?? 'USD';
}

function extractBudget(c: Clause, text: string, who: string): Draft[] {
  const low = c.low;
  let m: RegExpMatchArray | null;
  let max: number | undefined;
  let currency = 'USD';
  let at = -1;
  const num = `(\\d[\\d,]*(?:\\.\\d+)?)(k)?`;
  const unit = `\\s?(dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid)?`;
  // "$50-100", "between £40 and £60", "50 to 80 dollars": the upper end is the max.
  const range = rx`(?:\\bbetween\\s+)?([$£€])?\\s?${num}${unit}\\s*(?:-|–|to|and)\\s*([$£€])?\\s?${num}${unit}`;
  const withCue = rx`\\b${BUDGET_CUE}\\s*:?\\s*${MONEY}`;
  const after = rx`${MONEY}\\s*(?:or less|or under|max|maximum|tops|at most|budget|or below)`;
  const bare = rx`\\b${BUDGET_CUE}\\s*:?\\s*(\\d[\\d,]*(?:\\.\\d+)?)(k)?\\b(?!\\s*(?:%|percent|days?|weeks?|months?|years?|yrs?|lbs?|kg|inch|inches|in\\b|cm|mm|ft|feet|minutes?|hours?|items?|people|guests|kids|year))`;
  const money = (g: RegExpMatchArray): [number, string] =>
    g[1] ? [parseAmount(g[2]!, g[3]), currencyOf(g[1])] : [parseAmount(g[4]!, g[5]), currencyOf(g[6])];
  if (
    (m = low.match(range)) &&
    (m[1] || m[4] || m[5] || m[8]) &&
    (/\bbetween\b/.test(m[0]) || /[-–]|\bto\b/.test(m[0]))
  ) {
    max = parseAmount(m[6]!, m[7]);
    currency = currencyOf(m[5] ?? m[8] ?? m[1] ?? m[4]);
    at = m.index!;
  } else if ((m = low.match(withCue)) || (m = low.match(after))) {
    const g = m[0].match(MONEY_RE)!;
    [max, currency] = money(g);
    at = m.index!;
  } else if ((m = low.match(bare)) && !/\bsize\b/.test(low.slice(Math.max(0, m.index! - 8), m.index!))) {
    max = parseAmount(m[1]!, m[2]);
    at = m.index!;
  }
  if (max === undefined || !Number.isFinite(max)) return [];
  const product = budgetProduct(text.toLowerCase(), c.start + at);
  const value: { max: number; currency: string; for?: string } = { max, currency };
  if (product) value.for = product;
  // A budget for someone else's gift is about that person.
  const forWho = text.toLowerCase().match(rx`\\bfor\\s+(?:my|our)\\s+(${REL})\\b`);
  return [{ about: forWho ? relationKey(forWho[1]!) : who, kind: 'budget', value, polarity: 'positive' }];
}

/** The thing a budget is for: the noun phrase of the request ("I need a rain jacket under $150"). */
function budgetProduct(low: string, cueAt: number): string | undefined {
  const head = low.slice(0, cueAt);
  const lead =
    /^(?:.*?\b(?:(?:want|need|would like|'d like|wanna|going) to (?:buy|get|find|order|purchase)|need|want|looking for|look for|searching for|search for|shopping for|find me|find|show me|get me|buy|buying|after|hunting for|do you have|got any|have you got|any|recommend|suggest|choose|pick|is there)\s+)?(.*)$/;
  let np = head.match(lead)?.[1] ?? head;
  np = np.replace(/^(?:i'm|i am|im|i|we|we're)\s+/, '');
  np = np
    .split(
      /\s*(?:[,;.!?]|\b(?:for\b|that(?:'s| is)?\b|which|with|in (?:size|blue|red|black)\b|my budget|budget|max|maximum|that's|for under|for less)\b)/,
    )[0]!
    .replace(/\s+(?:for|that'?s?|is|are|costs?|priced)$/, '');
  // "what gift would you recommend under $40": the request names its object before the verb.
  if (!np.trim())
    np =
      head.match(
        /\b(?:what|which|a|an|some|any)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\s+(?:would|should|do|can|could|is|are|might)\b/,
      )?.[1] ?? '';
  np = np.trim().replace(/\s+(?:ideas?|suggestions?|options?|recommendations?|recs)$/, '');
  const v = cleanPhrase(
    np
      .replace(/^(?:a|an|the|some|any|new|nice|good|cheap|decent)\s+/, '')
      .replace(/^(?:new|nice|good|cheap|decent)\s+/, ''),
  );
  if (!v || v.split(' ').length > 5 || /^(?:something|anything|it|one|this|that|stuff|things?|me|help)$/.test(v))
    return undefined;
  return v;
}

const OCCASIONS: [RegExp, string][] = [
  [/\b(birthday|bday|b-day|birth day|born)\b/, 'birthday'],
  [/\b(anniversary|got married|were married|wedding anniversary)\b/, 'anniversary'],
  [/\b(graduation|graduates|graduating)\b/, 'graduation'],
  [/\b(wedding|getting married|gets married)\b/, 'wedding'],
  [/\b(due date|is due|baby is due)\b/, 'due_date'],
  [/\b(retirement|retires|retiring)\b/, 'retirement'],
  [/\b(name day)\b/, 'name_day'],
  [/\b(housewarming)\b/, 'housewarming'],
  [/\b(baby shower)\b/, 'baby_shower'],
  [/\b(turns|turning)\s+\d+/, 'birthday'],
];

function parseDate(low: string): { month: number; day?: number } | undefined {
  let m: RegExpMatchArray | null;
  if ((m = low.match(rx`\\b(${MONTH_RE})\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\b`))) {
    return { month: MONTH[m[1]!.replace('.', '')]!, day: Number(m[2]) };
  }
  if ((m = low.match(rx`\\b(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTH_RE})\\b`))) {
    return { month: MONTH[m[2]!.replace('.', '')]!, day: Number(m[1]) };
  }
  // Numeric dates read month first (US), unless the first number cannot be a month.
  if ((m = low.match(/\b(\d{1,2})[/.](\d{1,2})(?:[/.]\d{2,4})?\b/))) {
    let [a, b] = [Number(m[1]), Number(m[2])];
    if (a > 12 && b <= 12) [a, b] = [b, a];
    if (a >= 1 && a <= 12 && b >= 1 && b <= 31) return { month: a, day: b };
  }
  if ((m = low.match(rx`\\b(?:in|is in|during|early|late|mid)\\s+(${MONTH_RE})\\b`)))
    return { month: MONTH[m[1]!.replace('.', '')]! };
  return undefined;
}

function extractDate(c: Clause, who: string, last: string | null): Draft[] {
  const low = c.low;
  const date = parseDate(low);
  if (!date) return [];
  const occ = OCCASIONS.find(([re]) => re.test(low));
  if (!occ) return [];
  const occIdx = low.search(occ[0]);
  // The possessor right before the occasion word wins over the clause subject: "my dad's birthday".
  const before = low.slice(0, occIdx);
  let about = who;
  let m: RegExpMatchArray | null;
  if ((m = before.match(rx`\\b(?:my|our)\\s+(${REL})(?:'s)?\\s+(?:\\w+\\s+)?$`))) about = relationKey(m[1]!);
  else if (
    (m = before.match(/\b([a-z]+)'s\s+(?:\w+\s+)?$/)) &&
    isName(m[1]!, c.raw.slice(before.lastIndexOf(m[1]!), before.lastIndexOf(m[1]!) + m[1]!.length))
  )
    about = m[1]!;
  else if (/\b(?:my|our)\s+(?:\w+\s+)?$/.test(before)) about = 'self';
  else if (/\b(?:his|her|their)\s+(?:\w+\s+)?$/.test(before) && last) about = last;
  const value: { occasion: string; month?: number; day?: number } = { occasion: occ[1] };
  value.month = date.month;
  if (date.day !== undefined) value.day = date.day;
  return [{ about: about ?? 'self', kind: 'date', value, polarity: 'positive' }];
}

function extractHousehold(c: Clause, who: string): Draft[] {
  if (who !== 'self') return [];
  const low = c.low;
  const out: Draft[] = [];
  const have =
    low.match(
      /\b(?:i|we)\s+(?:also\s+|now\s+|just\s+)?(?:have|have got|'ve got|got|own|live with|share (?:a|my|our) (?:home|house|flat|apartment) with|take care of|look after)\s+(.+)$/,
    ) ??
    low.match(/\b(?:i've|we've|ive)\s+(?:also\s+)?got\s+(.+)$/) ??
    low.match(/\b(?:don't|do not|no longer|doesn't)\s+(?:have|own)\s+(.+)$/) ??
    low.match(/^(?:we're|we are)\s+a\s+family\s+of\s+(\w+)/);
  if (!have) {
    const parent = low.match(/\b(?:mom|mum|mother|dad|father|parent)\s+of\s+(\w+)\b/);
    const n = parent && wordNumber(parent[1]!);
    if (n) out.push({ about: 'self', kind: 'household', value: `${parent![1]} kids`, polarity: 'positive' });
    return out;
  }
  const nounRe = rx`^((?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\\d+|my|our|the)\\s+)?((?:[a-z-]+\\s+){0,2}?)(${HOUSEHOLD_NOUNS}|${REL})$`;
  for (const part of have[1]!.split(/\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)\s*/)) {
    const p = part
      .replace(/\s+(?:anymore|any more|at home|now|too|as well|together|who\b.*|that\b.*|and\b.*)$/, '')
      .trim();
    const m = p.match(nounRe);
    if (!m) continue;
    const q = (m[1] ?? '').trim();
    // "live with my partner" -> "partner"; "two kids", "a dog" keep their count word as said.
    const value =
      /^(?:my|our|the)$/.test(q) || !q
        ? `${m[2] ?? ''}${m[3]}`.trim()
        : `${q} ${m[2] ?? ''}${m[3]}`.replace(/\s+/g, ' ').trim();
    if (/^(?:a|an)\s+(?:question|problem|issue|order)/.test(value)) continue;
    out.push({ about: 'self', kind: 'household', value, polarity: 'positive' });
  }
  return out;
}

function extractLocation(c: Clause, who: string): Draft[] {
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
    /^(?:a|an|the|my|your|here|there|it|this|that|home|love|trouble|pain|hurry)\b/i.test(place) &&
    !/^(?:the bay area|the uk|the us|the usa|the netherlands)/i.test(place)
  )
    return [];
  if (place.split(/\s+/).length > 8) return [];
  return [{ about: who, kind: 'location', value: place.toLowerCase(), polarity: 'positive' }];
}

// ---------------------------------------------------------------------------------------------
// Retraction

const FORGET_CUE =
  /\b(?:forget|frget|forgot about|delete|remove|erase|wipe|clear|reset|unlearn|scratch|stop remembering|don't (?:store|remember|keep|save)|do not (?:store|remember|keep|save)|drop)\b/;
const NO_LONGER =
  /\b(?:any ?more|no longer|not\s+\w+\s+anymore|stopped|quit|quitting|gave up|giving up|done with|outgrew|outgrown|over (?:my|it|that)|used to be)\b/;

/** What a forget request names when it does not restate the fact: "forget my shoe size", "delete my address". */
function forgetTargets(low: string, text: string): Fact[] {
  const cueAt = low.search(FORGET_CUE);
  const rest = cueAt >= 0 ? low.slice(cueAt) : low;
  let about = 'self';
  let m: RegExpMatchArray | null;
  if ((m = rest.match(rx`\\b(?:my|our|the)\\s+(${REL})(?:'s|s')?(?=[\\s,.!?]|$)`))) about = relationKey(m[1]!);
  else if (
    (m = rest.match(/\b(?:about|on|of)\s+my\s+([a-z-]+)$/)) &&
    !/^(?:data|info|information|profile|preferences|details|sizes?|diet|allerg\w*|address|birthday|budget|likes|stuff|things|account|history|household|family)$/.test(
      m[1]!,
    )
  )
    about = m[1]!;
  else if (
    (m = text.slice(Math.max(cueAt, 0)).match(/\b(?:about|on|of|for)\s+([A-Z][a-z]+)\b/)) &&
    isName(m[1]!.toLowerCase(), m[1]!)
  )
    about = m[1]!.toLowerCase();
  else if ((m = text.slice(Math.max(cueAt, 0)).match(/\b([A-Z][a-z]+)'s\b/)) && isName(m[1]!.toLowerCase(), m[1]!))
    about = m[1]!.toLowerCase();
  const r = (kind: Fact['kind'], value: Fact['value']): Fact => ({ about, kind, value, polarity: 'retract' });
  const kinds = forgetKinds(rest, r);
  if (kinds.length) return kinds;
  const anywhere = forgetKinds(low, r);
  if (anywhere.length) return anywhere;
  // Everything about someone: "forget about my sister", "delete all my data", "reset my profile".
  if (
    about !== 'self' ||
    /\b(?:everything|all|data|info|information|profile|preferences|details|what you know|what i (?:said|told you)|it|that|memory|history|facts)\b/.test(
      rest,
    )
  ) {
    return [r('*', '*')];
  }
  return [];
}

/** The kinds of fact a forget request names ("my ring size", "my address", "my allergies"). */
function forgetKinds(rest: string, r: (kind: Fact['kind'], value: Fact['value']) => Fact): Fact[] {
  const out: Fact[] = [];
  const itemM = rest.match(rx`\\b(${ITEM_WORDS}|shoe)\\s+sizes?\\b`);
  if (itemM) out.push(r('size', { item: itemOf(itemM[1] === 'shoe' ? 'shoes' : itemM[1])! }));
  else if (/\bsizes?\b|\bmeasurements\b/.test(rest)) out.push(r('size', '*'));
  for (const [re, occ] of OCCASIONS)
    if (re.test(rest) && !out.some((f) => f.kind === 'date')) out.push(r('date', { occasion: occ }));
  if (/\b(?:address|location|where i live|where we live|city|zip code|postcode)\b/.test(rest))
    out.push(r('location', '*'));
  if (/\ballerg\w*\b/.test(rest)) out.push(r('allergy', '*'));
  if (/\b(?:diet|dietary|diets|eating habits)\b/.test(rest)) out.push(r('diet', '*'));
  if (/\bbudgets?\b/.test(rest)) out.push(r('budget', '*'));
  if (/\bhousehold\b|\bfamily info\b/.test(rest)) out.push(r('household', '*'));
  if (/\b(?:likes|interests|hobbies)\b/.test(rest)) out.push(r('like', '*'));
  if (/\bdislikes\b/.test(rest)) out.push(r('dislike', '*'));
  if (/\bbrands?\b/.test(rest)) out.push(r('brand', '*'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry point

/** Order-handling intents: "my kid doesn't like the toy, can we return it" is about one product, not a taste. */
const ORDER_INTENTS = new Set<Intent>([
  'order_status',
  'track_shipment',
  'return_item',
  'cancel_order',
  'refund_status',
  'change_delivery',
  'payment_question',
]);
/** Intents whose messages talk about facts without stating them ("what do you know about my dad?"). */
const NO_FACT_INTENTS = new Set<Intent>([
  'what_do_you_know',
  'too_creepy',
  'abuse',
  'apology',
  'greeting',
  'stop_messages',
  'resume_messages',
  'talk_to_human',
]);

/**
 * The facts a message states. `intent` (when known) narrows the reading: questions about what we
 * know state nothing, and a forget request turns what it names into retractions. Without an
 * intent every rule runs, which is what the classifier uses as features.
 */
export function extractFacts(input: string, intent?: Intent): Fact[] {
  if (intent && NO_FACT_INTENTS.has(intent)) return [];
  const text = prep(input);
  const lowAll = text.toLowerCase();
  const cased = /[a-z]/.test(text);
  const people = cased ? mentions(text) : mentions(text.toLowerCase());
  const forgetting = FORGET_CUE.test(lowAll) && (intent === undefined || intent === 'forget_fact');
  const productContext =
    intent === 'find_product' ||
    intent === 'recommend' ||
    /\b(?:looking for|do you have|need|want|find|show me|in stock)\b/.test(lowAll);

  const drafts: Draft[] = [];
  const retractFlags: boolean[] = [];
  let offset = 0;
  let last: string | null = null;
  for (const rawClause of splitClauses(text)) {
    const at = text.indexOf(rawClause, offset);
    offset = at >= 0 ? at + rawClause.length : offset;
    // The last person mentioned before this clause resolves "he"/"she"; a later one if none came before.
    const before = people.filter((p) => p.at < Math.max(at, 0));
    last = before.length ? before[before.length - 1]!.who : (people[0]?.who ?? last);
    const subject = clauseSubject(rawClause, last);
    const clause: Clause = { raw: rawClause, low: rawClause.toLowerCase(), subject, start: Math.max(at, 0), cased };
    const retracting = NO_LONGER.test(clause.low) || forgetting;
    const who = subject ?? 'self';
    const found: Draft[] = [];
    if (subject) found.push(...extractDiet(clause, subject), ...extractAllergy(clause, subject));
    found.push(
      ...extractSize(clause, who, productContext),
      ...extractDate(clause, who, last),
      ...extractBudget(clause, text, who),
    );
    if (subject) {
      if (!intent || !ORDER_INTENTS.has(intent))
        found.push(...extractLikes(clause, subject, retracting), ...extractBrandBuying(clause, subject));
      found.push(...extractHousehold(clause, subject), ...extractLocation(clause, subject));
    }
    for (const f of found) {
      drafts.push(f);
      retractFlags.push(retracting);
    }
  }

  let facts: Fact[] = dedupe(
    drafts.map((d, i): Fact => {
      const fact: Fact = { about: d.about, kind: d.kind, value: d.value, polarity: d.polarity };
      // A retracted dislike stays a dislike ("I don't hate cilantro anymore"); a brand stays a brand.
      return retractFlags[i] && !d.settled ? { ...fact, polarity: 'retract' } : fact;
    }),
  );
  // "I don't eat meat anymore" states a diet, it retracts nothing.
  facts = facts.map((f) =>
    f.kind === 'diet' && f.value === 'vegetarian' && /\b(?:eat|eating) meat\b/.test(lowAll) && !forgetting
      ? { ...f, polarity: 'positive' }
      : f,
  );

  if (forgetting) {
    // Prefer the fact the request restates ("forget that I like jazz"); else what it names ("my shoe size").
    const restated = facts.filter((f) => f.polarity === 'retract');
    return restated.length ? restated : forgetTargets(lowAll, text);
  }
  return facts;
}

function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((f) => {
    const k = `${f.about}|${f.kind}|${JSON.stringify(f.value)}|${f.polarity}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
