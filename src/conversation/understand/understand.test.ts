/**
 * Behaviour tests for the local understander, on messages that are not in the shared dev set.
 * Run: node --import tsx --test src/conversation/understand/understand.test.ts
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IntentClassifier, loadExamples } from './classifier.js';
import { runUnderstandCli } from './cli.js';
import { createUnderstander, understand } from './index.js';
import { factSensitivity, INTENTS, type Fact, type Intent } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const devPath = path.resolve(here, '../../../../shared/understanding/dev.jsonl');
const devTexts = new Set(
  fs.existsSync(devPath)
    ? fs
        .readFileSync(devPath, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { text: string }).text.toLowerCase().trim())
    : [],
);

const facts = (text: string) => understand(text).facts;
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;
/** Facts compared as a set: the contract does not order them. */
const factSet = (fs: Fact[]) => fs.map((f) => JSON.stringify(sortKeys(f))).sort();
const assertFacts = (text: string, want: Fact[]) => assert.deepEqual(factSet(facts(text)), factSet(want), text);

const INTENT_CASES: [string, Intent][] = [
  ['has the toaster I ordered left your warehouse yet?', 'order_status'],
  ['my parcel was due on tuesday and still nothing', 'order_status'],
  ['please text me the DHL tracking code', 'track_shipment'],
  ['these trainers rub my heel, I want to send them back', 'return_item'],
  ['cancel the candle set I ordered an hour ago', 'cancel_order'],
  ['my refund for the returned kettle never arrived', 'refund_status'],
  ['could the courier bring it on Thursday instead', 'change_delivery'],
  ['do you take Amex cards', 'payment_question'],
  ['I want to chat with an actual person', 'talk_to_human'],
  ['my uncle is really into bird watching', 'state_fact'],
  ['forget my jacket size please', 'forget_fact'],
  ['what do you have saved about my son?', 'what_do_you_know'],
  ['I need a backpack for school under $60', 'find_product'],
  ['what would make a nice present for my grandad?', 'recommend'],
  ['how on earth do you know my address? creepy', 'too_creepy'],
  ['you are a brainless waste of electricity, idiot', 'abuse'],
  ["sorry for snapping, that wasn't fair of me", 'apology'],
  ['stop sending me texts', 'stop_messages'],
  ['you can start emailing me again', 'resume_messages'],
  ['hey, good afternoon', 'greeting'],
  ['what is the boiling point of water', 'other'],
];

test('test messages are not copied from the dev set', () => {
  for (const [text] of INTENT_CASES) assert.ok(!devTexts.has(text.toLowerCase()), text);
});

test('each intent is recognised on unseen phrasings', () => {
  const covered = new Set(INTENT_CASES.map(([, i]) => i));
  assert.equal(covered.size, INTENTS.length, 'every intent has a case');
  const wrong = INTENT_CASES.map(([text, want]) => ({ text, want, got: understand(text).intent })).filter(
    (r) => r.got !== r.want,
  );
  assert.deepEqual(wrong, []);
});

test('understanding has the contract shape and an honest confidence', () => {
  const u = understand('I wear a medium');
  assert.deepEqual(Object.keys(u).sort(), ['confidence', 'facts', 'intent', 'text']);
  assert.equal(u.text, 'I wear a medium');
  assert.ok(u.confidence > 0.5 && u.confidence <= 1, `confident on a clear statement: ${u.confidence}`);
});

test('gibberish and empty input are other with low confidence', () => {
  for (const text of ['qwrtp zxcvb', 'kjhgf dsaaa lkjh', '?!?', '']) {
    const u = understand(text);
    assert.equal(u.intent, 'other', text);
    assert.ok(u.confidence < 0.5, `${text}: ${u.confidence}`);
    assert.deepEqual(u.facts, []);
  }
});

test('bare STOP keywords always stop messages', () => {
  for (const text of ['STOP', 'stop', 'Unsubscribe', 'STOP ALL'])
    assert.equal(understand(text).intent, 'stop_messages', text);
  assert.equal(understand('START').intent, 'resume_messages');
  // "stop" inside a request about something else is not an opt-out.
  assert.notEqual(understand('stop bringing up my ex please').intent, 'stop_messages');
});

test('diet and allergy values are normalised', () => {
  assertFacts("I've been gluten-free for years", [
    { about: 'self', kind: 'diet', value: 'gluten_free', polarity: 'positive' },
  ]);
  assertFacts('my brother keeps halal', [{ about: 'brother', kind: 'diet', value: 'halal', polarity: 'positive' }]);
  assertFacts('my daughter is allergic to cashews and prawns', [
    { about: 'daughter', kind: 'allergy', value: 'tree_nuts', polarity: 'positive' },
    { about: 'daughter', kind: 'allergy', value: 'shellfish', polarity: 'positive' },
  ]);
  // A diet word on a product is a search filter, not a fact about the shopper.
  assert.deepEqual(facts('do you sell keto bread?'), []);
});

test('negation gives dislikes and negative brands', () => {
  assertFacts("I don't like mushrooms", [{ about: 'self', kind: 'dislike', value: 'mushrooms', polarity: 'negative' }]);
  assertFacts("my mum can't stand strong perfume", [
    { about: 'mum', kind: 'dislike', value: 'strong perfume', polarity: 'negative' },
  ]);
  assertFacts('I refuse to buy Adidas', [{ about: 'self', kind: 'brand', value: 'adidas', polarity: 'negative' }]);
  assertFacts('we avoid anything made by Unilever', [
    { about: 'self', kind: 'brand', value: 'unilever', polarity: 'negative' },
  ]);
  // "I'd like to..." is a request, not a taste.
  assert.deepEqual(facts("I'd like to exchange the lamp"), []);
});

test('facts about the people shopped for use the relation or name', () => {
  assertFacts('my uncle is really into bird watching', [
    { about: 'uncle', kind: 'like', value: 'bird watching', polarity: 'positive' },
  ]);
  assertFacts("my grandad's birthday is 14 February and he loves crosswords", [
    { about: 'grandad', kind: 'date', value: { occasion: 'birthday', month: 2, day: 14 }, polarity: 'positive' },
    { about: 'grandad', kind: 'like', value: 'crosswords', polarity: 'positive' },
  ]);
  assertFacts('Lucas loves trains', [{ about: 'lucas', kind: 'like', value: 'trains', polarity: 'positive' }]);
  const u = understand('any ideas for my niece? she is crazy about horses');
  assert.equal(u.intent, 'recommend');
  assert.deepEqual(u.facts, [{ about: 'niece', kind: 'like', value: 'horses', polarity: 'positive' }]);
});

test('budgets carry max, currency and what they are for', () => {
  assertFacts('I need a backpack for school under $60', [
    { about: 'self', kind: 'budget', value: { max: 60, currency: 'USD', for: 'backpack' }, polarity: 'positive' },
  ]);
  assertFacts("looking for a winter coat, can't spend more than €120", [
    { about: 'self', kind: 'budget', value: { max: 120, currency: 'EUR', for: 'winter coat' }, polarity: 'positive' },
  ]);
  // A price that is not a limit is not a budget.
  assert.deepEqual(facts('do you sell $25 gift cards'), []);
});

test('sizes are normalised per garment', () => {
  assertFacts('I wear a 10.5 in shoes', [
    { about: 'self', kind: 'size', value: { item: 'shoes', size: '10.5' }, polarity: 'positive' },
  ]);
  assertFacts('my husband wears 36x30 trousers', [
    { about: 'husband', kind: 'size', value: { item: 'pants', size: '36x30' }, polarity: 'positive' },
  ]);
  assertFacts('my daughter is a small', [
    { about: 'daughter', kind: 'size', value: { item: 'shirt', size: 'S' }, polarity: 'positive' },
  ]);
  assertFacts("I'm an extra large in hoodies", [
    { about: 'self', kind: 'size', value: { item: 'hoodie', size: 'XL' }, polarity: 'positive' },
  ]);
  // "too small" on a return is about the product, not the shopper.
  assert.deepEqual(facts('the coat is too small, can I swap it'), []);
});

test('dates read month and day in either order', () => {
  assertFacts('our anniversary is the 9th of August', [
    { about: 'self', kind: 'date', value: { occasion: 'anniversary', month: 8, day: 9 }, polarity: 'positive' },
  ]);
  assertFacts("my wife's birthday is 3/27", [
    { about: 'wife', kind: 'date', value: { occasion: 'birthday', month: 3, day: 27 }, polarity: 'positive' },
  ]);
  // No date given: nothing to store.
  assert.deepEqual(facts('what should I get my aunt for her birthday?'), []);
});

test('household and location', () => {
  assertFacts('we have two teenagers and a puppy', [
    { about: 'self', kind: 'household', value: 'two teenagers', polarity: 'positive' },
    { about: 'self', kind: 'household', value: 'a puppy', polarity: 'positive' },
  ]);
  assertFacts('I live in Leeds', [{ about: 'self', kind: 'location', value: 'leeds', polarity: 'positive' }]);
});

test('forget requests retract what they name', () => {
  const u = understand('forget my jacket size please');
  assert.equal(u.intent, 'forget_fact');
  assert.deepEqual(u.facts, [{ about: 'self', kind: 'size', value: { item: 'jacket' }, polarity: 'retract' }]);
  assertFacts("I'm no longer doing keto", [{ about: 'self', kind: 'diet', value: 'keto', polarity: 'retract' }]);
  assertFacts('delete everything you know about my aunt', [
    { about: 'aunt', kind: '*', value: '*', polarity: 'retract' },
  ]);
  assertFacts("forget my brother's birthday", [
    { about: 'brother', kind: 'date', value: { occasion: 'birthday' }, polarity: 'retract' },
  ]);
  assertFacts('my son is not allergic to milk anymore', [
    { about: 'son', kind: 'allergy', value: 'dairy', polarity: 'retract' },
  ]);
});

test('questions about what we know state no facts', () => {
  const u = understand('why do you think I am vegan?');
  assert.notEqual(u.intent, 'state_fact');
  assert.deepEqual(u.facts, []);
});

test('sensitivity follows the contract', () => {
  const f = (kind: Fact['kind'], value: Fact['value']): Fact => ({ about: 'self', kind, value, polarity: 'positive' });
  assert.equal(factSensitivity(f('diet', 'gluten_free')), 'health');
  assert.equal(factSensitivity(f('diet', 'kosher')), 'religion');
  assert.equal(factSensitivity(f('diet', 'vegan')), 'low');
  assert.equal(factSensitivity(f('allergy', 'peanuts')), 'health');
  assert.equal(factSensitivity(f('budget', { max: 50, currency: 'USD' })), 'finances');
  assert.equal(factSensitivity(f('household', 'two kids')), 'children');
  assert.equal(factSensitivity(f('household', 'a dog')), 'low');
  assert.equal(factSensitivity(f('location', '221 baker street, london')), 'precise_location');
  assert.equal(factSensitivity(f('location', 'denver')), 'low');
  assert.equal(factSensitivity(f('like', 'hiking')), 'low');
});

test('examples that pin facts agree with the extractor', () => {
  const wrong: string[] = [];
  for (const ex of loadExamples()) {
    if (!ex.facts) continue;
    const got = understand(ex.text);
    if (JSON.stringify(factSet(got.facts)) !== JSON.stringify(factSet(ex.facts))) wrong.push(ex.text);
  }
  assert.deepEqual(wrong, []);
});

test('examples are not copies of our own held-out sets (heldout/*.jsonl, measured with eval:understanding, never trained on)', () => {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'heldout');
  const held = new Set(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text.toLowerCase().trim()),
  );
  assert.ok(held.size > 250);
  assert.deepEqual(
    loadExamples().filter((ex) => held.has(ex.text.toLowerCase().trim())),
    [],
  );
});

test('examples are not copies of the dev set', () => {
  const copies = loadExamples().filter((ex) => devTexts.has(ex.text.toLowerCase().trim()));
  assert.deepEqual(copies, []);
});

// How long training takes is printed by `npm run eval:understanding`, not asserted by a timed test.
test('training is deterministic', () => {
  const examples = loadExamples();
  assert.ok(examples.length > 1000);
  const a = IntentClassifier.train(examples);
  const b = IntentClassifier.train(examples);
  const text = 'when does my refund come through';
  assert.deepEqual(a.classify(text), b.classify(text));
  assert.equal(createUnderstander(), createUnderstander(), 'trained once and cached');
});

test('the CLI answers each line and reports bad lines without stopping', async () => {
  const input = Readable.from([
    '{"text":"I am allergic to sesame"}\n',
    'not json\n',
    '\n',
    '{"text": 42}\n',
    '{"txt":"hello"}\n',
    '{"text":"hello!"}\n',
  ]);
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString()));
  const code = await runUnderstandCli(input, output);
  const lines = chunks
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(code, 1);
  assert.equal(lines.length, 5);
  assert.deepEqual(lines[0], {
    text: 'I am allergic to sesame',
    intent: 'state_fact',
    confidence: (lines[0] as { confidence: number }).confidence,
    facts: [{ about: 'self', kind: 'allergy', value: 'sesame', polarity: 'positive' }],
  });
  assert.deepEqual(lines[1], { error: { code: 'bad_request', message: 'line is not valid JSON', path: 'line 2' } });
  assert.equal((lines[2] as { error: { path: string } }).error.path, 'line 4');
  assert.equal((lines[3] as { error: { path: string } }).error.path, 'line 5');
  assert.equal(lines[4]!.intent, 'greeting');
});

test('the CLI exits 0 when every line is fine', async () => {
  const output = new PassThrough();
  output.resume();
  assert.equal(await runUnderstandCli(Readable.from(['{"text":"where is my order"}\n']), output), 0);
});
