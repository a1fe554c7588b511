import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommendFromModel } from './score.js';
import { deserializeModel, serializeModel } from './serialize.js';
import { trainModel } from './train.js';
import type { Interaction } from './types.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 5, 1);
/** Twenty shoppers who buy a toothbrush with its charger; some buy brush heads later. */
const history: Interaction[] = Array.from({ length: 20 }, (_, u) => [
  { user: `u${u}`, item: 'brush', weight: 1, at: now - (30 + u) * DAY, kind: 'purchase' as const, basket: `o${u}` },
  { user: `u${u}`, item: 'charger', weight: 1, at: now - (30 + u) * DAY, kind: 'purchase' as const, basket: `o${u}` },
  ...(u % 2 === 0
    ? [{ user: `u${u}`, item: 'heads', weight: 1, at: now - 5 * DAY, kind: 'purchase' as const, basket: `h${u}` }]
    : []),
  { user: `u${u}`, item: `other${u % 5}`, weight: 1, at: now - 60 * DAY, kind: 'view' as const },
]).flat();

test('a model trained twice on the same history is the same, and survives serialisation', () => {
  const a = trainModel(history, { now });
  const b = trainModel(
    history.map((x) => ({ ...x })),
    { now },
  );
  assert.deepEqual(serializeModel(a), serializeModel(b));
  const back = deserializeModel(serializeModel(a));
  assert.deepEqual(back.itemIds, a.itemIds);
  assert.ok(a.memoryBytes > 0);
});

test('what goes with a brush comes first for a shopper who just bought one', () => {
  const model = trainModel(history, { now });
  const recs = recommendFromModel(model, { user: 'new', sessionItems: ['brush'], k: 3 });
  assert.ok(recs.length > 0);
  assert.ok(['charger', 'heads'].includes(recs[0].item), JSON.stringify(recs));
  assert.ok(!recs.some((r) => r.item === 'brush'), 'not what is in the session');
});
