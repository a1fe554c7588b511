/**
 * `npm run bench:recs`: offline accuracy of the hybrid recommender against Pop, BuyAgain, ItemKNN and EASE on the
 * shipped Online Retail file, with a temporal protocol:
 *   validation: train before the last 8 weeks, evaluate weeks 8–4  → every hyper-parameter is chosen here;
 *   test:       train before the last 4 weeks, evaluate the last 4 → reported once, nothing tuned on it.
 * Two tasks per customer present in both periods: "all" purchases, and "new" items (never bought before; every
 * list is filtered of the customer's past items). Metrics: NDCG@10 and Recall@20 (hits / relevant items).
 *
 * Flags: --validate-only (stop after tuning), --fast (smaller grids), --file PATH.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOnlineRetail } from '../src/recommend/offline.js';
import { encodeInteractions } from '../src/recommend/model/encode.js';
import { trainModel, DEFAULT_BLEND, DEFAULT_TRAIN_OPTIONS } from '../src/recommend/model/train.js';
import { recommendFromModel } from '../src/recommend/model/score.js';
import {
  buyAgainBaseline,
  easeBaseline,
  itemKnnBaseline,
  popBaseline,
  type Baseline,
} from '../src/recommend/model/baselines.js';
import type { BlendWeights, Interaction, RecModel, TrainOptions } from '../src/recommend/model/types.js';

const DAY = 86_400_000;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const FILE = args.includes('--file')
  ? args[args.indexOf('--file') + 1]
  : path.join(root, 'data/online-retail/transactions-2010-12-to-2011-10.csv.gz');
const FAST = flag('--fast');

type Task = 'all' | 'new';
const TASKS: Task[] = ['all', 'new'];
type RecFn = (user: string, k: number, exclude?: ReadonlySet<string>) => string[];

const t0 = performance.now();
const secs = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)}s`;
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const log = (...a: unknown[]) => {
  sampleRss();
  console.log(...a);
};

// ---------------------------------------------------------------------------------------------
// Protocol

interface Split {
  name: string;
  train: Interaction[];
  /** Items each customer bought in the training period. */
  history: Map<string, Set<string>>;
  truth: Record<Task, Map<string, Set<string>>>;
}

function makeSplit(name: string, all: readonly Interaction[], cut: number, end: number): Split {
  const train = all.filter((e) => e.at < cut);
  const history = new Map<string, Set<string>>();
  for (const e of train) {
    let s = history.get(e.user);
    if (!s) history.set(e.user, (s = new Set()));
    s.add(e.item);
  }
  const truthAll = new Map<string, Set<string>>();
  for (const e of all) {
    if (e.at < cut || e.at >= end || !history.has(e.user)) continue;
    let s = truthAll.get(e.user);
    if (!s) truthAll.set(e.user, (s = new Set()));
    s.add(e.item);
  }
  const truthNew = new Map<string, Set<string>>();
  for (const [u, items] of truthAll) {
    const past = history.get(u)!;
    const fresh = new Set([...items].filter((i) => !past.has(i)));
    if (fresh.size) truthNew.set(u, fresh);
  }
  return { name, train, history, truth: { all: truthAll, new: truthNew } };
}

interface Score {
  ndcg: number;
  recall: number;
  perUser: { ndcg: Float64Array; recall: Float64Array };
}

const LOG2 = Array.from({ length: 21 }, (_, r) => 1 / Math.log2(r + 2));

/** NDCG@10 (binary gains) and Recall@20 (hits / |relevant|), averaged over the task's customers (sorted ids). */
function evaluate(split: Split, task: Task, rec: RecFn): Score {
  const users = [...split.truth[task].keys()].sort();
  const nd = new Float64Array(users.length);
  const rc = new Float64Array(users.length);
  users.forEach((u, t) => {
    const truth = split.truth[task].get(u)!;
    const list = rec(u, 20, task === 'new' ? split.history.get(u) : undefined);
    let dcg = 0,
      idcg = 0,
      hits = 0;
    for (let r = 0; r < Math.min(20, list.length); r++) {
      if (!truth.has(list[r])) continue;
      hits++;
      if (r < 10) dcg += LOG2[r];
    }
    for (let r = 0; r < Math.min(10, truth.size); r++) idcg += LOG2[r];
    nd[t] = dcg / idcg;
    rc[t] = hits / truth.size;
  });
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
  return { ndcg: mean(nd), recall: mean(rc), perUser: { ndcg: nd, recall: rc } };
}

const hybridRec =
  (model: RecModel, task: Task, blend?: Partial<BlendWeights>): RecFn =>
  (user, k) =>
    recommendFromModel(model, { user, k, mode: task === 'all' ? 'all' : 'new_only', blend }).map((r) => r.item);

/** Selection objective: NDCG@10 + Recall@20 relative to a reference, so both metrics count equally. */
const objective = (s: Score, ref: Score) => s.ndcg / ref.ndcg + s.recall / ref.recall;

// ---------------------------------------------------------------------------------------------
// Data

const tLoad = performance.now();
const data = await loadOnlineRetail(FILE);
const all = data.interactions;
let maxAt = -Infinity;
for (const e of all) if (e.at > maxAt) maxAt = e.at;
const end = Math.floor(maxAt / DAY) * DAY + DAY; // midnight after the last invoice
const cutTest = end - 28 * DAY;
const cutVal = end - 56 * DAY;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
log(
  `Online Retail: ${data.stats.lines} lines, ${all.length} purchases kept (cancelled ${data.stats.cancelled}, qty≤0 ${data.stats.nonPositive}, guest ${data.stats.guest}) in ${secs(tLoad)}`,
);
const val = makeSplit('validation', all, cutVal, cutTest);
const test = makeSplit('test', all, cutTest, end);
for (const [s, from, to] of [
  [val, cutVal, cutTest],
  [test, cutTest, end],
] as const) {
  log(
    `${s.name}: train < ${iso(from)} (${s.train.length} lines, ${s.history.size} customers), evaluate ${iso(from)}..${iso(to - DAY)}: ` +
      `${s.truth.all.size} customers (all), ${s.truth.new.size} (new items)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Validation: tune baselines and the hybrid

log(`\n== Tuning on the validation window${FAST ? ' (fast grids)' : ''} ==`);
const tTune = performance.now();
const valEnc = encodeInteractions(val.train);
const best: Record<Task, { knn: number; knnScore: Score | null; ease: number; easeScore: Score | null }> = {
  all: { knn: 0, knnScore: null, ease: 0, easeScore: null },
  new: { knn: 0, knnScore: null, ease: 0, easeScore: null },
};
const sumMetric = (s: Score) => s.ndcg + s.recall;
for (const K of FAST ? [20, 0] : [10, 20, 50, 100, 0]) {
  const b = itemKnnBaseline(val.train, { neighbours: K, enc: valEnc });
  const line: string[] = [];
  for (const task of TASKS) {
    const s = evaluate(val, task, b.recommend);
    if (!best[task].knnScore || sumMetric(s) > sumMetric(best[task].knnScore!))
      best[task] = { ...best[task], knn: K, knnScore: s };
    line.push(`${task} ${s.ndcg.toFixed(4)}/${s.recall.toFixed(4)}`);
  }
  log(`  ItemKNN k=${K || 'all'}: ${line.join('  ')}`);
}
for (const lambda of FAST ? [100, 400] : [50, 100, 200, 400, 800]) {
  const t = performance.now();
  const b = easeBaseline(val.train, { lambda, enc: valEnc });
  const line: string[] = [];
  for (const task of TASKS) {
    const s = evaluate(val, task, b.recommend);
    if (!best[task].easeScore || sumMetric(s) > sumMetric(best[task].easeScore!))
      best[task] = { ...best[task], ease: lambda, easeScore: s };
    line.push(`${task} ${s.ndcg.toFixed(4)}/${s.recall.toFixed(4)}`);
  }
  log(`  EASE λ=${lambda}: ${line.join('  ')}  (${secs(t)})`);
}
log(
  `  chosen: ItemKNN k=${best.all.knn || 'all'} (all) / ${best.new.knn || 'all'} (new); EASE λ=${best.all.ease} (all) / ${best.new.ease} (new)`,
);

// Hybrid. Structural (expensive) options first, then cheap ones by coordinate ascent with `reuse`, then the blend
// weights per mode. A change is kept only if it improves the objective by > 0.5% (coarse grids, no noise-chasing).
const MIN_GAIN = 0.005;
type Cfg = { train: TrainOptions; blend: { all: BlendWeights; new_only: BlendWeights } };
let cfg: Cfg = {
  train: { ...DEFAULT_TRAIN_OPTIONS, kindWeights: undefined },
  blend: { all: { ...DEFAULT_BLEND.all }, new_only: { ...DEFAULT_BLEND.new_only } },
};
const scoreBoth = (model: RecModel, blend = cfg.blend) => ({
  all: evaluate(val, 'all', hybridRec(model, 'all', blend.all)),
  new: evaluate(val, 'new', hybridRec(model, 'new', blend.new_only)),
});
let model = trainModel(val.train, cfg.train);
const ref = scoreBoth(model);
const both = (s: Record<Task, Score>) => objective(s.all, ref.all) + objective(s.new, ref.new);
let bestObj = both(ref);
const fmtS = (s: Record<Task, Score>) =>
  `all ${s.all.ndcg.toFixed(4)}/${s.all.recall.toFixed(4)}  new ${s.new.ndcg.toFixed(4)}/${s.new.recall.toFixed(4)}`;
log(`  hybrid defaults: ${fmtS(ref)}`);

const structural: Array<Partial<TrainOptions>> = FAST
  ? [{ cfHalfLifeDays: 0 }]
  : [
      { cfHalfLifeDays: 0, easeLambda: 200 },
      { cfHalfLifeDays: 90, easeLambda: 50 },
      { cfHalfLifeDays: 90, easeLambda: 200 },
      { cfHalfLifeDays: 90, easeLambda: 500 },
      { similarity: 'cosine' },
    ];
for (const change of structural) {
  const trial = { ...cfg.train, ...change };
  if (Object.entries(change).every(([k, v]) => cfg.train[k as keyof TrainOptions] === v)) continue; // = current
  const t = performance.now();
  const m = trainModel(val.train, trial);
  const s = scoreBoth(m);
  const o = both(s);
  const keep = o > bestObj * (1 + MIN_GAIN);
  log(`  ${JSON.stringify(change)}: ${fmtS(s)}${keep ? '  <- kept' : ''} (${secs(t)})`);
  if (keep) {
    cfg = { ...cfg, train: trial };
    model = m;
    bestObj = o;
  }
}

const cheap: Array<[keyof TrainOptions, number[]]> = [
  ['halfLifeDays', [30, 60, 120, 240]],
  ['profilePower', [0.25, 0.5, 1]],
  ['peerNeighbours', [50, 100, 200]],
  ['adoptionHalfLifeDays', [7, 14, 28]],
  ['trendingHalfLifeDays', [3.5, 7, 14]],
];
for (const [key, values] of cheap) {
  for (const v of values) {
    if (cfg.train[key] === v) continue;
    const trial = { ...cfg.train, [key]: v };
    const m = trainModel(val.train, { ...trial, reuse: model });
    const s = scoreBoth(m);
    const o = both(s);
    const keep = o > bestObj * (1 + MIN_GAIN);
    log(`  ${key}=${v}: ${fmtS(s)}${keep ? '  <- kept' : ''}`);
    if (keep) {
      cfg = { ...cfg, train: trial };
      model = m;
      bestObj = o;
    }
  }
}

// Blend weights, per mode (cf is the anchor at 1); two passes of coordinate ascent.
const grids: Array<[keyof BlendWeights, number[]]> = [
  ['peers', [0, 0.25, 0.5, 0.75, 1, 1.5]],
  ['buyAgain', [0.5, 1, 1.5, 2, 3, 5]],
  ['trending', [0, 0.05, 0.1, 0.2, 0.4]],
  ['popular', [0, 0.02, 0.05, 0.1]],
  ['complement', [0, 0.05, 0.1, 0.2]],
];
for (const task of TASKS) {
  const mode = task === 'all' ? 'all' : 'new_only';
  let blend = { ...cfg.blend[mode] };
  let bestScore = evaluate(val, task, hybridRec(model, task, blend));
  const taskRef = bestScore;
  for (let pass = 0; pass < 2; pass++) {
    let changed = false;
    for (const [key, values] of grids) {
      if (key === 'buyAgain' && task === 'new') continue;
      for (const v of values) {
        if (blend[key] === v) continue;
        const trial = { ...blend, [key]: v };
        const s = evaluate(val, task, hybridRec(model, task, trial));
        if (objective(s, taskRef) > objective(bestScore, taskRef) * (1 + MIN_GAIN)) {
          blend = trial;
          bestScore = s;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  cfg.blend[mode] = blend;
  log(`  blend ${mode}: ${JSON.stringify(blend)} -> ${bestScore.ndcg.toFixed(4)}/${bestScore.recall.toFixed(4)}`);
}
const tuned = { ...cfg.train };
log(`  tuned train options: ${JSON.stringify(tuned)}`);
log(`  tuning took ${secs(tTune)}`);
if (flag('--validate-only')) process.exit(0);

// ---------------------------------------------------------------------------------------------
// Test: retrain on everything before the last 4 weeks, evaluate once

log(`\n== Test: train < ${iso(cutTest)}, evaluate the last 4 weeks ==`);
const testEnc = encodeInteractions(test.train);
const rows: Array<{ name: string; scores: Partial<Record<Task, Score>>; isBaseline: boolean }> = [];
const runBaseline = (b: Baseline, tasks: Task[] = TASKS, name = b.name) => {
  const scores: Partial<Record<Task, Score>> = {};
  for (const task of tasks) scores[task] = evaluate(test, task, b.recommend);
  rows.push({ name, scores, isBaseline: true });
};
let t = performance.now();
runBaseline(popBaseline(test.train, testEnc));
runBaseline(buyAgainBaseline(test.train));
runBaseline(buyAgainBaseline(test.train, { fillWithPop: true }));
for (const task of TASKS) {
  const K = best[task].knn;
  runBaseline(itemKnnBaseline(test.train, { neighbours: K, enc: testEnc }), [task], `ItemKNN (k=${K || 'all'})`);
}
const easeLambdas = [...new Set(TASKS.map((task) => best[task].ease))];
for (const lambda of easeLambdas) {
  const tasks = TASKS.filter((task) => best[task].ease === lambda);
  runBaseline(easeBaseline(test.train, { lambda, enc: testEnc }), tasks, `EASE (λ=${lambda})`);
}
// Merge the per-task rows of the same method family for display.
const merged = new Map<string, { name: string; scores: Partial<Record<Task, Score>>; isBaseline: boolean }>();
for (const r of rows) {
  const family = r.name.replace(/ \(.*\)$/, '');
  const m = merged.get(family);
  if (!m) merged.set(family, { ...r });
  else {
    m.name =
      m.name === r.name ? m.name : `${family} (${[m.name, r.name].map((n) => n.match(/\((.*)\)/)?.[1]).join(' | ')})`;
    Object.assign(m.scores, r.scores);
  }
}
const baselineSecs = secs(t);

t = performance.now();
let trainPhase = '';
const finalModel = trainModel(test.train, {
  ...tuned,
  blend: cfg.blend,
  onProgress: (phase) => (trainPhase = phase),
});
void trainPhase;
const trainSecs = secs(t);
sampleRss();
const hybridScores: Record<Task, Score> = {
  all: evaluate(test, 'all', hybridRec(finalModel, 'all')),
  new: evaluate(test, 'new', hybridRec(finalModel, 'new')),
};
const table = [...merged.values(), { name: 'Hybrid (Confidant)', scores: hybridScores, isBaseline: false }];

const cell = (s?: Score, m?: 'ndcg' | 'recall') => (s && m ? s[m].toFixed(4) : '   —  ').padStart(9);
log(
  `\n${'method'.padEnd(30)}${'all NDCG@10'.padStart(13)}${'all R@20'.padStart(10)}${'new NDCG@10'.padStart(13)}${'new R@20'.padStart(10)}`,
);
for (const r of table) {
  log(
    `${r.name.padEnd(30)}${cell(r.scores.all, 'ndcg').padStart(13)}${cell(r.scores.all, 'recall').padStart(10)}${cell(r.scores.new, 'ndcg').padStart(13)}${cell(r.scores.new, 'recall').padStart(10)}`,
  );
}

/** Paired bootstrap (customers resampled) of hybrid mean / baseline mean: 95% interval. */
function bootstrapRatio(a: Float64Array, b: Float64Array, reps = 1000): [number, number] {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const ratios: number[] = [];
  for (let r = 0; r < reps; r++) {
    let sa = 0,
      sb = 0;
    for (let t = 0; t < a.length; t++) {
      const k = Math.floor(rnd() * a.length);
      sa += a[k];
      sb += b[k];
    }
    ratios.push(sa / sb);
  }
  ratios.sort((x, y) => x - y);
  return [ratios[Math.floor(0.025 * reps)], ratios[Math.floor(0.975 * reps)]];
}

log('\nHybrid vs the best baseline (per task and metric; 95% paired bootstrap interval over customers):');
let allBeat = true;
for (const task of TASKS) {
  for (const metric of ['ndcg', 'recall'] as const) {
    let bestRow: (typeof table)[number] | null = null;
    for (const r of table)
      if (r.isBaseline && r.scores[task] && (!bestRow || r.scores[task]![metric] > bestRow.scores[task]![metric]))
        bestRow = r;
    const h = hybridScores[task][metric];
    const b = bestRow!.scores[task]![metric];
    const [lo, hi] = bootstrapRatio(hybridScores[task].perUser[metric], bestRow!.scores[task]!.perUser[metric]);
    allBeat &&= h > b;
    log(
      `  ${task.padEnd(4)} ${metric === 'ndcg' ? 'NDCG@10' : 'R@20   '}: ${h.toFixed(4)} vs ${bestRow!.name} ${b.toFixed(4)}  ratio ${(h / b).toFixed(3)}  [${lo.toFixed(3)}, ${hi.toFixed(3)}]`,
    );
  }
}
log(
  allBeat
    ? '  hybrid beats every baseline on both tasks and both metrics'
    : '  WARNING: a baseline matches or beats the hybrid somewhere',
);

// ---------------------------------------------------------------------------------------------
// Serving cost of the final model

const users = [...finalModel.users.keys()].sort();
const lat: number[] = [];
for (let r = 0; r < 2; r++) for (const u of users) recommendFromModel(finalModel, { user: u, k: 10 }); // warm-up
for (const mode of ['all', 'new_only'] as const) {
  for (const u of users) {
    const s = performance.now();
    recommendFromModel(finalModel, { user: u, k: 10, mode });
    lat.push(performance.now() - s);
  }
}
for (let r = 0; r < 500; r++) {
  const s = performance.now();
  recommendFromModel(finalModel, {
    user: `unknown-${r}`,
    k: 10,
    sessionItems: r % 2 ? [finalModel.itemIds[r]] : undefined,
  });
  lat.push(performance.now() - s);
}
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(3);
sampleRss();
log(
  `\nServing (k=10, ${finalModel.users.size} users × 2 modes + 500 anonymous, ${finalModel.itemIds.length} items): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${lat[lat.length - 1].toFixed(3)} ms`,
);
log(
  `Model: ~${mb(finalModel.memoryBytes)} (${finalModel.neighbours.idx.length} neighbour links, ${finalModel.complements.idx.length} complement links, ${finalModel.peers.userIds.length} active peers)`,
);
log(
  `Timing: test baselines ${baselineSecs}, hybrid training ${trainSecs}; total ${secs(t0)}. Peak RSS ${mb(peakRss)}.`,
);
