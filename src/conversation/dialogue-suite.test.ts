import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDialogues, matches, pattern, seedRuleProblems, storedProblems } from './dialogue-suite.js';

const fact = (kind: string, value: unknown, about = 'self', polarity = 'positive') => ({
  id: `${kind}-${JSON.stringify(value)}`,
  kind,
  value,
  about,
  polarity,
});

test('"stored" is exact: a missing fact and an extra fact are both problems', () => {
  const fresh = [fact('like', 'yoga', 'sister'), fact('like', 'stuff', 'sister')];
  assert.deepEqual(storedProblems([{ kind: 'like', value: 'Yoga', about: 'sister' }], fresh), [
    'stored but not expected: sister/like="stuff"',
  ]);
  assert.deepEqual(storedProblems([{ kind: 'like', value: 'yoga' }], [fact('like', 'yoga', 'sister')]), [
    'not stored: self/like="yoga"',
    'stored but not expected: sister/like="yoga"',
  ]);
  assert.deepEqual(storedProblems([], []), []);
  assert.deepEqual(
    storedProblems(
      [{ kind: 'budget', value: { max: 50 }, about: 'sister' }],
      [fact('budget', { max: 50, currency: 'USD' }, 'sister')],
    ),
    [],
  );
});

test('values match as a subset: object keys named, arrays in any order, strings without case', () => {
  assert.ok(
    matches(
      { status: 'cancelled', items: [{ status: 'cancelled' }] },
      { status: 'Cancelled', items: [{ status: 'ok' }, { status: 'cancelled' }], total: 3 },
    ),
  );
  assert.ok(!matches({ status: 'cancelled' }, { status: 'placed' }));
  assert.ok(!matches({ month: 12 }, { month: 11 }));
  assert.ok(!matches([{ a: 1 }], { a: 1 }));
});

test('patterns: plain text is a case-insensitive substring, /re/ a regular expression', () => {
  assert.ok(pattern('ups ground').test('via UPS Ground.'));
  assert.ok(pattern('(order V-1001)').test('x (order V-1001) y'));
  assert.ok(!pattern('/^Tracking$/').test('Tracking link'));
  assert.ok(pattern('/^tracking/i').test('Tracking link'));
});

test('the seed rules: two sentences, under 40 words, one question, no order number not named', () => {
  assert.deepEqual(seedRuleProblems('Your package arrives tomorrow. Want the link?', ['V-1001'], 'where is it'), []);
  assert.deepEqual(seedRuleProblems('One. Two. Three.', [], ''), ['3 sentences']);
  assert.deepEqual(seedRuleProblems(`${'word '.repeat(40).trim()}.`, [], ''), ['40 words']);
  assert.deepEqual(seedRuleProblems('Order V-1001 arrives tomorrow.', ['V-1001'], 'where is it'), [
    'a bare order number (V-1001)',
  ]);
  assert.deepEqual(seedRuleProblems('Order V-1001 arrives tomorrow.', ['V-1001'], 'where is v-1001'), []);
  assert.deepEqual(seedRuleProblems('Order D-DAD-12 arrived.', ['D-DAD-2', 'D-DAD-12'], ''), [
    'a bare order number (D-DAD-12)',
  ]);
});

test('a data file with a mistake is refused with the place of the mistake', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialogues-'));
  const write = (body: unknown) => fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify(body));
  const one = (turn: unknown) => ({
    category: 'c',
    dialogues: [{ name: 'n', shopper: 'karen', brand: 'volt', turns: [turn] }],
  });
  try {
    write(one({ say: 'hi', intnet: 'greeting' }));
    assert.throws(() => loadDialogues(dir), /x\.json\/dialogues\/0\/turns\/0\/intnet: unknown key/);
    write(one({ say: 'hi', intent: 'hello' }));
    assert.throws(() => loadDialogues(dir), /turns\/0\/intent: a label of the understanding contract/);
    write(one({ say: 'hi', stored: [{ kind: 'like' }] }));
    assert.throws(() => loadDialogues(dir), /stored\/0\/value/);
    write({ category: 'c', dialogues: [{ name: 'n', shopper: 'zed', brand: 'volt', turns: [{ say: 'hi' }] }] });
    assert.throws(() => loadDialogues(dir), /shopper: one of karen, dad, bob/);
    write(one({ say: 'hi', replyHas: ['/(/'] }));
    assert.throws(() => loadDialogues(dir), /Invalid regular expression/);
    write(one({ say: 'hi', intent: 'greeting' }));
    assert.equal(loadDialogues(dir)[0].dialogues.length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
