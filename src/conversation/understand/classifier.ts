/**
 * Intent classifier: a multinomial logistic regression over word, word-bigram and character
 * n-gram features, trained at startup from the hand-written examples in `examples/*.jsonl`, plus
 * a few high-precision rules for messages where a rule is plainly better than statistics
 * (a bare "STOP", a string of insults, keyboard mash).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFacts } from './facts.js';
import { INTENTS, isIntent, type Fact, type Intent } from './types.js';

export interface Example {
  text: string;
  intent: Intent;
  /** Present when the example also pins down the facts (checked by the tests). */
  facts?: Fact[];
}

export interface Classification {
  intent: Intent;
  confidence: number;
  /** Which path decided: a rule, the model, or the "nothing fits" fallback. */
  source: 'rule' | 'model' | 'fallback';
}

export const EXAMPLES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'examples');

export function loadExamples(dir = EXAMPLES_DIR): Example[] {
  const out: Example[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const row = JSON.parse(line) as Example;
      if (typeof row.text !== 'string' || !isIntent(row.intent)) {
        throw new Error(`${file} line ${i + 1}: needs a text and a known intent`);
      }
      out.push(row);
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Normalisation and features

const PROFANITY =
  /(?<![a-z])(f(?=\s+(?:off|up|you|u|this|that|it|yourself|me)\b)|effing|frick\w*|freaking|f+u+c+k+\w*|f[*#@$]+[a-z]*[*#@$]*|fck\w*|fk|fu|stfu|wtf|sh[i1*]t\w*|crap\w*|damn\w*|bullshit|ass(hole)?|a[*]+hole|dumbass|bitch\w*|b[*]+tch|bastard|piss\w*|dick\w*|prick|bloody|hell)(?![a-z*#@$])/g;
const MONTHS =
  /\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\b/;

/** Lower-case, unify apostrophes, expand contractions, mark profanity: the shared first step. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(
      /\b(dont|doesnt|didnt|isnt|arent|wasnt|werent|havent|hasnt|couldnt|shouldnt|wouldnt)\b/g,
      (w) => `${w.slice(0, -2)} not`,
    )
    .replace(/\bim\b/g, 'i am')
    .replace(/\bive\b/g, 'i have')
    .replace(/\b(can)'?t\b/g, 'can not')
    .replace(/\bwon'?t\b/g, 'will not')
    .replace(/\b(\w+)n't\b/g, '$1 not')
    .replace(/\b(i)'?m\b/g, 'i am')
    .replace(/'re\b/g, ' are')
    .replace(/'ve\b/g, ' have')
    .replace(/'ll\b/g, ' will')
    .replace(/'d\b/g, ' would')
    .replace(/'s\b/g, '')
    .replace(/[$£€]\s?\d[\d,.]*k?|\b\d[\d,.]*\s?(dollars?|bucks|usd|eur|euros?|gbp|pounds?|quid)\b/g, ' zmoney ')
    .replace(PROFANITY, ' zprof ');
}

/** Tiny suffix stripper: enough to join "returns/returned/returning" without a stemmer library. */
function stem(w: string): string {
  if (w.length <= 3 || /^z(money|prof|num|month)$/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}

export function tokenize(text: string): string[] {
  const toks = normalise(text).match(/[a-z0-9]+|[?!]/g) ?? [];
  return toks.map((t) => {
    if (/^\d+(st|nd|rd|th)?$/.test(t)) return 'znum';
    if (MONTHS.test(t) && t !== 'may' && t !== 'march') return 'zmonth';
    return stem(t);
  });
}

/**
 * Domain concepts: groups of words that mean the same thing to a shop assistant. A few hundred
 * examples cannot show every synonym, so "void my order" and "halt my order" share the `cancel`
 * feature with "cancel my order" even when the example set never had them.
 */
const CONCEPTS: [string, RegExp][] = [
  ['order', /\b(orders?|ordered|package|packages|parcels?|shipment|stuff i (bought|ordered)|purchases?|delivery)\b/],
  [
    'arrive',
    /\b(arriv\w*|come|coming|came|get here|be here|show(ed|n)? up|turn(ed)? up|shipped|dispatched|on (its|the) way|eta|delayed|late|lost|missing|still waiting|waiting (on|for)|wait (on|for)|how (much )?longer|never got|not here|status|(says|shows|showing|marked)( as)? delivered|(did not|didn't|never|have not|haven't) (receive|received|get|got)|not received)\b/,
  ],
  [
    'track',
    /\b(track\w*|tracking|carrier|courier|ups|fedex|usps|dhl|royal mail|waybill|consignment|driver|van|truck|map|live location|exactly where|right now|progress)\b/,
  ],
  [
    'return',
    /\b(return\w*|send (it |them |this )?back|ship (it |this |them )?back|sending (it |one |them )?back|exchange\w*|swap\w*|trade|replace\w*|doesn't fit|does not fit|too (small|big|tight|long|short|large)|damaged|broken|defective|faulty|cracked|wrong (size|item|color|colour))\b/,
  ],
  // Something wrong with what arrived: a return (or a person), whatever words it comes in.
  [
    'problem',
    /\b(broken|broke|damaged|defective|faulty|cracked|chipped|dented|scratched|smashed|in pieces|leak\w*|missing|used item|opened|wrong (size|item|colou?r|model|plug|one|thing|product|flavou?r)|not (what|the one) i (ordered|wanted)|not as described|(does|do|did|will|would|can) not (fit|work|charge|connect|turn on|close|match|pair|hold a charge)|stopped working|not working|only works|dead on arrival|smells?|stain\w*|torn|ripped|incompatible|not compatible|way too (small|big|tight|loose)|too (tight|loose))\b/,
  ],
  [
    'usual',
    /\b(usual|regular|same (again|as (last|before|always|usual))|normal order|reorder|order again|buy again)\b/,
  ],
  [
    'new_in',
    /\b(what'?s new|whats new|anything new|new (in|stuff|arrivals?|products?|items?)|latest|just (in|arrived|landed)|arrivals?|came in)\b/,
  ],
  ['meal', /\b(breakfast|brunch|lunch|dinner|supper|snacks?|meals?)\b/],
  [
    'catalog',
    /\b(what (do|have|can) (you|u)( guys| all)? (got|have|sell|carry|offer)|what have (you|u) got|what('s| is) in stock|what can i (get|buy|order))\b/,
  ],
  [
    'cancel',
    /\b(cancel\w*|cancle|void|halt|abort|withdraw|call off|scrap|undo|back out|do not (send|ship|process)|by (mistake|accident)|changed my mind|rather not)\b/,
  ],
  [
    'refund',
    /\b(refund\w*|refnd|reimburs\w*|money back|my money|the money|paid back|pay me back|credit (back|appear)|store credit|owed?)\b/,
  ],
  [
    'deliver_change',
    /\b(address|instead|reschedul\w*|redeliver\w*|redirect|reroute|pick ?up|collect|locker|neighbou?r|leave (it|the)|express|overnight|expedite|faster|sooner|next day|another day|different day|hold (it|the|my)|push (it|the delivery) back|gate code|buzzer|side entrance|reception|po box|zip code|recipient)\b/,
  ],
  [
    'pay',
    /\b(do you (take|accept)|pay\w*|paid|charg\w*|billed|billing|bill|invoice|receipt|card|credit card|debit|amex|visa|mastercard|paypal|klarna|venmo|apple pay|google pay|bitcoin|installments?|coupon|promo|discount|fee|fees|tax|vat|checkout|transaction|authori[sz]ation|price match|overcharged|declined|gift card balance)\b/,
  ],
  [
    'human',
    /\b(transfer( me)?|who can i (call|talk to|speak to)|human|person|people|agent|representative|rep|operator|manager|supervisor|someone|somebody|staff|employee|customer (service|care|support)|call me|callback|phone number|real (person|agent|human)|live (agent|chat|person))\b/,
  ],
  ['bot', /\b(bot|robot|machine|assistant|ai|chatbot)\b/],
  [
    'forget',
    /\b(forget|frget|delete|remove|erase|wipe|clear|reset|unlearn|scratch|stop remembering|do not (store|remember|keep))\b/,
  ],
  [
    'no_longer',
    /\b(any ?more|no longer|not \w+ anymore|stopped|quit|gave up|giving up|done with|outgrew|outgrown|used to)\b/,
  ],
  [
    'know_me',
    /\b(what do you know|you know about|do you (know|remember)|(do|what) you have (on|about|stored|saved)|what (have|did) (you|i)|on file|saved|stored?|storing|my (profile|data|info|information|details)|remember about|learn(ed|t)? about|what makes you think|based on|why (did|would|are|is|was|this|that|these|the|am|'d)|why'd|how did you (pick|choose|come up)|explain|what basis|how come|reason)\b/,
  ],
  // Asking why something was suggested is a question about what we know, not a new request.
  [
    'why_suggest',
    /\b(why|why'd|how come|explain|basis|reason|based on what|where did)\b.*\b(suggest\w*|recommend\w*|pick\w*|picked|chose|choose|showing|show me|seeing|this|that|these)\b/,
  ],
  [
    'creepy',
    /\b((stop|quit|please stop|do not keep|don't keep) (bringing up|mentioning|talking about|using|tracking|personali\w*|referencing|reminding|assuming|suggesting|making assumptions)|bring(ing)? up my|why (would|do|did) you (mention|bring up|say)|why do you know|how do you know|how did you (know|get|find out)|find out about|creep\w*|invasive|spying|spy|stalk\w*|surveillance|watched|watching|privacy|private|personal|uncomfortable|unsettling|disturbing|weird|spooky|freak\w*|none of your business|overstep\w*|crosses a line|too much|how (do|did) (you|u) know|you know too|big brother|how the \w+ do you know|who told you|never told you|assumptions)\b/,
  ],
  [
    'stop',
    /\b(stop\w*|quit|enough|no more|opt ?-?out|unsub\w*|mute|silence|pause|disable|turn off|do not (text|email|contact|message|send)|leave me alone|take me off|remove (me|my number|my email))\b/,
  ],
  [
    'resume',
    /\b(again|back on|resume|resubscribe|re-?enable|reactivate|restart|start|opt (me )?(back )?in|unmute|unpause|turn on|switch \w+ back|back to sending|keep sending|un-?unsubscribe|undo unsubscribe|sign me up|subscribe)\b/,
  ],
  [
    'channel',
    /\b(emails?|e-?mails?|texts?|texting|sms|messages?|messaging|notifications?|alerts?|newsletters?|push|whatsapp|mailing list|promos?|promotions?|marketing|deals|offers|reminders|pinging|spam\w*|communications?)\b/,
  ],
  [
    'hello',
    /^(hi+|hello+|helo|hey+|hiya|howdy|yo|sup|morning|good (morning|afternoon|evening|day)|greetings)\b|\b(how are you|how is it going|how's it going|what's up|whats up|nice to meet)\b/,
  ],
  ['thanks', /\b(thanks?|thank (you|u)|thx|ty|tysm|cheers|appreciate\w*|much appreciated|many thanks)\b/],
  [
    'bye',
    /\b(cya|ttyl|bye|goodbye|see (you|ya)|later|good night|that is all|that's all|that's everything|nothing else|have a (good|nice|great))\b/,
  ],
  [
    'sorry',
    /\b(sorry|soz|sry|apolog\w*|my bad|forgive|pardon my|excuse my|did not mean|didn't mean|out of line|take it back|uncalled for|regret|should not have said|shouldn't have said|i was (rude|harsh|a jerk|mean))\b/,
  ],
  [
    'insult',
    /\b(zprof|idiot|moron|stupid\w*|dumb\w*|useless|worthless|pathetic|loser|trash|garbage|junk|jerk|clown|incompetent|brain ?dead|brainless|suck|sucks|twit|shut up|screw (you|off)|go to hell|kiss my|bite me|shove it|crash and burn|waste of space|hate you)\b/,
  ],
  [
    'recommend',
    /\b(any good|anything good|good ones|recommend\w*|recs?|suggest\w*|ideas?|gift|gifts|present|presents|what should i (get|buy|wear)|what do you think i should (get|buy)|what would|which (one|is better)|best|popular|trending|top picks|surprise me|inspire|help me (pick|choose|decide)|go with|goes with|bestsellers?|best sellers?|stocking stuffers?)\b/,
  ],
  [
    'find',
    /\b(looking for|look for|lookin|searching|search|find|need|want to buy|shopping for|hunting for|after a|do (you|u)( guys| all| folks)? (have|sell|carry|stock)|have you got|got any|any \w+s\??$|in stock|where are|where can i find|show me)\b/,
  ],
  [
    'diet',
    /\b(vegan\w*|vegetarian|veggie|vegitarian|pescatarian|pescetarian|gluten[- ]?free|celiac|coeliac|keto|paleo|dairy[- ]?free|lactose|low[- ]sugar|diabetic|halal|kosher|plant[- ]based|do not eat meat)\b/,
  ],
  ['allergy', /\b(allerg\w*|intoleran\w*|anaphyla\w*)\b/],
  [
    'like',
    /\b(love|loves|like|likes|adore\w*|enjoy\w*|into|fan of|big fan|obsessed|crazy about|swears? by|favou?rite|prefer\w*|hate|hates|dislike\w*|can not stand|not a fan|do not care for|avoid|boycott|never buy\w*)\b/,
  ],
  ['size', /\b(size|sizes|wear|wears|xs|xl|xxl|2xl|small|medium|large|waist|inseam|\d+x\d+)\b/],
  ['date', /\b(birthday|bday|b-day|anniversary|graduation|wedding|born|married|turns \d+)\b/],
  [
    'household',
    /\b(kids?|children|son|daughter|baby|toddler|newborn|twins|dog|dogs|cat|cats|puppy|partner|roommate|husband|wife|live with)\b/,
  ],
  [
    'relation',
    /\bmy (mom|mum|mother|dad|father|sister|brother|wife|husband|son|daughter|kids?|friend|boss|grandma|grandpa|aunt|uncle|niece|nephew|girlfriend|boyfriend|partner|fianc\w*|hubby|coworker|colleague|teacher)\b/,
  ],
  ['self_state', /^(i am|i|we are|we|my|our|im)\b/],
  ['question', /^(what|when|where|why|how|who|which|is|are|can|could|do|does|did|will|would|has|have|should)\b/],
  [
    'offtopic',
    /\b(weather|joke|poem|homework|essay|capital of|president|population|recipe|password|log ?in|account|username|job|jobs|hiring|seller|sell my|movie|song|music|alarm|planet|universe|meaning of life|translate|calories|directions|score|stock tips|sentient|who made you|opening hours|open on|store located|physical store)\b/,
  ],
];

/** Sparse feature vector, L2-normalised so long messages do not dominate the gradient. */
export function featurize(text: string): Map<string, number> {
  const toks = tokenize(text);
  const f = new Map<string, number>();
  const add = (k: string, w: number) => f.set(k, (f.get(k) ?? 0) + w);
  // Concepts are matched on both the raw lower-case text ("what's up") and the normalised one ("do not").
  const light = text.toLowerCase().replace(/[\u2018\u2019\u02bc`´]/g, "'");
  const norm0 = normalise(text);
  for (const [name, re] of CONCEPTS) if (re.test(light) || re.test(norm0)) add(`k:${name}`, 1);
  // A capitalised name stating a taste or a trait ("Leo loves lego", "Priya is vegan"): a fact about someone.
  if (
    /(?:^|[.,!?]\s*)[A-Z][a-z]+(?:'s)?\s+(?:really\s+)?(?:loves?|likes?|hates?|adores?|enjoys?|wears?|is (?:into|allergic|vegan|vegetarian|a size|a (?:small|medium|large))|birthday|bday)\b/.test(
      text,
    )
  )
    add('k:person_fact', 1);
  const words = toks.filter((t) => t !== '?' && t !== '!');
  for (const w of words) add(`w:${w}`, 1);
  for (let i = 0; i + 1 < words.length; i++) add(`b:${words[i]}_${words[i + 1]}`, 0.7);
  if (words.length) add(`first:${words[0]}`, 0.5);
  // Character n-grams inside each word catch typos ("cancle", "refnd") and unseen inflections.
  for (const w of words) {
    if (w.startsWith('z')) continue;
    const s = `<${w}>`;
    for (let n = 3; n <= 4; n++) for (let i = 0; i + n <= s.length; i++) add(`c:${s.slice(i, i + n)}`, 0.25);
  }
  // What the fact rules find says a lot about intent: a stated like leans to state_fact, a
  // retraction to forget_fact, a budget to find_product. The model learns how much to trust it.
  for (const fact of extractFacts(text)) {
    add(`f:${fact.kind}`, 0.8);
    if (fact.polarity === 'retract') add('f:retract', 1);
    if (fact.about !== 'self') add('f:someone', 0.5);
  }
  if (toks.includes('?')) add('q:?', 0.5);
  add(words.length <= 2 ? 'len:short' : words.length <= 6 ? 'len:mid' : 'len:long', 0.3);
  let norm = 0;
  for (const v of f.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (const [k, v] of f) f.set(k, v / norm);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Model

/** Deterministic PRNG so the same examples always train the same model. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

export class IntentClassifier {
  private constructor(
    private readonly index: Map<string, number>,
    private readonly weights: Float64Array,
    private readonly bias: Float64Array,
    /** Word features seen in training: used to judge whether a message is in our vocabulary at all. */
    private readonly vocab: Set<string>,
  ) {}

  static train(examples: Example[], opts: TrainOptions = {}): IntentClassifier {
    const { epochs = 30, learningRate = 2, l2 = 1e-5 } = opts;
    const K = INTENTS.length;
    const index = new Map<string, number>();
    const vocab = new Set<string>();
    const data = examples.map((ex) => {
      const feats = featurize(ex.text);
      const ids: number[] = [];
      const vals: number[] = [];
      for (const [k, v] of feats) {
        let id = index.get(k);
        if (id === undefined) index.set(k, (id = index.size));
        ids.push(id);
        vals.push(v);
        if (k.startsWith('w:')) vocab.add(k.slice(2));
      }
      return { ids, vals, y: INTENTS.indexOf(ex.intent) };
    });
    const W = new Float64Array(index.size * K);
    const b = new Float64Array(K);
    const p = new Float64Array(K);
    const rand = mulberry32(42);
    const order = data.map((_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lr = learningRate / (1 + epoch * 0.15);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const n of order) {
        const { ids, vals, y } = data[n]!;
        scores(ids, vals, W, b, K, p);
        for (let c = 0; c < K; c++) {
          const g = p[c]! - (c === y ? 1 : 0);
          b[c]! -= lr * g;
          for (let m = 0; m < ids.length; m++) {
            const at = ids[m]! * K + c;
            W[at] = W[at]! - lr * (g * vals[m]! + l2 * W[at]!);
          }
        }
      }
    }
    return new IntentClassifier(index, W, b, vocab);
  }

  /** Probabilities per intent, plus how much of the message's wording the model has ever seen. */
  predict(text: string): { probs: Map<Intent, number>; coverage: number } {
    const K = INTENTS.length;
    const ids: number[] = [];
    const vals: number[] = [];
    let words = 0;
    let known = 0;
    let concept = false;
    for (const [k, v] of featurize(text)) {
      if (k.startsWith('w:')) {
        words++;
        if (this.vocab.has(k.slice(2))) known++;
      }
      if ((k.startsWith('k:') && !/^k:(self_state|question|relation|offtopic)$/.test(k)) || k.startsWith('f:'))
        concept = true;
      const id = this.index.get(k);
      if (id !== undefined) {
        ids.push(id);
        vals.push(v);
      }
    }
    const p = new Float64Array(K);
    scores(ids, vals, this.weights, this.bias, K, p);
    const probs = new Map<Intent, number>();
    INTENTS.forEach((intent, c) => probs.set(intent, p[c]!));
    // A domain concept ("howdy" -> hello, "operator" -> human) counts as understood wording.
    const coverage = words ? known / words : 0;
    return { probs, coverage: concept ? Math.max(coverage, 0.5) : coverage };
  }

  classify(text: string): Classification {
    const rule = ruleIntent(text);
    if (rule) return { ...rule, source: 'rule' };
    if (looksLikeGibberish(text, this.vocab)) return { intent: 'other', confidence: 0.1, source: 'fallback' };
    const { probs, coverage } = this.predict(text);
    let best: Intent = 'other';
    let bestP = -1;
    for (const [intent, pr] of probs) if (pr > bestP) [best, bestP] = [intent, pr];
    // Mostly unknown words: whatever the model leans to, we do not really understand the message.
    if (coverage < 0.25) return { intent: 'other', confidence: 0.2, source: 'fallback' };
    // Nothing stands out: say so rather than pick a weak winner.
    if (bestP < 0.3 && best !== 'other') return { intent: 'other', confidence: 0.25, source: 'fallback' };
    // Scale by coverage so a message half made of unseen words is reported as less certain.
    const confidence = bestP * (0.6 + 0.4 * Math.min(1, coverage));
    return { intent: best, confidence: round(confidence), source: 'model' };
  }
}

function scores(ids: number[], vals: number[], W: Float64Array, b: Float64Array, K: number, out: Float64Array) {
  for (let c = 0; c < K; c++) out[c] = b[c]!;
  for (let m = 0; m < ids.length; m++) {
    const base = ids[m]! * K;
    const v = vals[m]!;
    for (let c = 0; c < K; c++) out[c]! += W[base + c]! * v;
  }
  let max = -Infinity;
  for (let c = 0; c < K; c++) max = Math.max(max, out[c]!);
  let sum = 0;
  for (let c = 0; c < K; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < K; c++) out[c]! /= sum;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// Rules

/** Carrier keywords (CTIA/TCPA style) that must always stop or restart messages, alone on a line. */
const STOP_KEYWORD =
  /^\s*(stop|stop all|stopall|unsubscribe|unsub|end|quit|opt ?-?out|stop (texting|messaging|emailing) me)\s*[.!]*\s*$/i;
const START_KEYWORD = /^\s*(start|unstop|resubscribe|opt ?-?in)\s*[.!]*\s*$/i;

const INSULT_WORDS = new Set([
  'zprof',
  'idiot',
  'idiots',
  'moron',
  'morons',
  'stupid',
  'dumb',
  'dumbest',
  'stupidest',
  'useless',
  'worthless',
  'pathetic',
  'loser',
  'trash',
  'garbage',
  'junk',
  'jerk',
  'clown',
  'incompetent',
  'braindead',
  'brainless',
  'suck',
  'sucks',
  'twit',
  'imbecile',
  'retard',
  'retarded',
  'scum',
  'hate',
  'pos',
  'shut',
  'screw',
]);
/** Words that may sit around insults without changing that the message is just abuse. */
const INSULT_FILLER = new Set([
  'you',
  'u',
  'r',
  'are',
  'am',
  'is',
  'a',
  'an',
  'the',
  'this',
  'that',
  'so',
  'such',
  'what',
  'bot',
  'assistant',
  'robot',
  'machine',
  'thing',
  'piece',
  'of',
  'ever',
  'most',
  'really',
  'totally',
  'absolutely',
  'up',
  'off',
  'and',
  'i',
  'your',
  'yourself',
  'go',
  'to',
  'it',
  'just',
  'ass',
  'pile',
  'code',
  'ai',
  'chatbot',
  'utterly',
]);
const APOLOGY = /\b(sorry|soz|sry|apolog\w*|forgive|didn'?t mean|pardon|excuse my)\b/i;

function ruleIntent(text: string): { intent: Intent; confidence: number } | null {
  if (STOP_KEYWORD.test(text)) return { intent: 'stop_messages', confidence: 0.99 };
  if (START_KEYWORD.test(text)) return { intent: 'resume_messages', confidence: 0.97 };
  if (APOLOGY.test(text)) return null;
  // A message made only of insults and filler is abuse whatever else the model thinks; an insult
  // inside a real request ("where the hell is my package") is left to the model.
  const words = normalise(text).match(/[a-z0-9]+/g) ?? [];
  const insults = words.filter((w) => INSULT_WORDS.has(w)).length;
  if (insults > 0 && words.every((w) => INSULT_WORDS.has(w) || INSULT_FILLER.has(w))) {
    return { intent: 'abuse', confidence: 0.95 };
  }
  return null;
}

/**
 * Keyboard mash and empty input: no vowels, long consonant runs, or one character repeated.
 * Words are judged one by one; the message is gibberish when most of its letters are.
 */
export function looksLikeGibberish(text: string, known: Set<string> = new Set()): boolean {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  if (!words.length) return true; // only digits, punctuation or nothing
  let bad = 0;
  let total = 0;
  for (const w of words) {
    total += w.length;
    if (known.has(w) || known.has(stem(w))) continue; // "thx", "pls", "stfu" are words here
    const noVowel = w.length >= 3 && !/[aeiouy]/.test(w);
    const consonantRun = /[bcdfghjklmnpqrstvwxz]{5,}/.test(w);
    const repeated = w.length >= 4 && /^(.)\1+$/.test(w);
    const keyboard = /(asdf|qwer|zxcv|hjkl|jkl;|sdfg|dfgh|fghj|ghjk|uiop)/.test(w);
    if (noVowel || consonantRun || repeated || keyboard) bad += w.length;
  }
  return bad / total > 0.5;
}
