import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testSystem } from '../testing/harness.js';
import { BACKGROUND, JOBS, startBackground } from './background.js';

const SRC = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'public' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });

test('every job defined anywhere is in the list the runner runs', () => {
  const defined = sources(SRC).flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/\bdefineJob(?:<[^>]*>)?\(\s*'([^']+)'/g)].map((m) => m[1]),
  );
  assert.ok(defined.length >= 3);
  const listed = JOBS.map((j) => j.name).sort();
  assert.deepEqual(
    defined.filter((n) => !listed.includes(n)),
    [],
    'add the job to JOBS in src/server/background.ts',
  );
  assert.deepEqual([...new Set(listed)], listed, 'each job once');
});

test('background work starts only from src/server/background.ts', () => {
  const starters =
    /\b(startJobRunner|startActivityFeed|startPolling|startRecommender|startOutbox)\(|\bsetInterval\(|addHook\('onReady'/;
  const allowed = new Set([
    'server/background.ts',
    'jobs/jobs.ts',
    'recommend/store.ts',
    'recommend/activity.ts',
    'recommend/training.ts',
    'messaging/outbox.ts',
    // the outbox runner as a process of its own, which the kill -9 test starts and kills
    'messaging/runner-process.ts',
  ]);
  const found = sources(SRC)
    .map((f) => path.relative(SRC, f))
    // db/ and testing/ wait for processes they start (a poll until PostgreSQL is ready): not background work.
    .filter((rel) => !/^(db|testing)\//.test(rel))
    .filter((rel) => !allowed.has(rel) && starters.test(fs.readFileSync(path.join(SRC, rel), 'utf8')));
  assert.deepEqual(found, [], 'start it from the list in src/server/background.ts');
});

test('the list starts in order and stops in the reverse order; a failed start stops what had started', async () => {
  const sys = await testSystem();
  try {
    const seen: string[] = [];
    const work = (name: string, fail = false) => ({
      name,
      async start() {
        if (fail) throw new Error(`${name} cannot start`);
        seen.push(`start ${name}`);
        return async () => void seen.push(`stop ${name}`);
      },
    });
    const b = await startBackground(sys.ctx, [work('a'), work('b'), work('c')]);
    await b.stop();
    assert.deepEqual(seen, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    seen.length = 0;
    await assert.rejects(startBackground(sys.ctx, [work('a'), work('b', true), work('c')]), /b cannot start/);
    assert.deepEqual(seen, ['start a', 'stop a']);
    assert.deepEqual(
      BACKGROUND.map((w) => w.name),
      [
        'job runner',
        'person change log trimmer',
        'activity listener',
        'model store',
        'model trainings',
        'outbox runner',
      ],
    );
  } finally {
    await sys.close();
  }
});
