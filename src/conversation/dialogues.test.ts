/**
 * The dialogue suite: every `dialogues/*.json` is run as real multi-turn chats through
 * `POST /v1/conversations/{brand|me}/messages` on the chat fixtures (a fresh world per dialogue),
 * checking each turn against what the file expects (see `dialogues/README.md`) and every reply
 * against the rules of every reply. Prints a score per category; any failing turn fails the suite.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { chatWorld, type ChatTurn, type ChatWorld } from './chat-fixtures.js';
import {
  factMatches,
  loadDialogues,
  matches,
  pattern,
  seedRuleProblems,
  showFact,
  storedProblems,
  type Dialogue,
  type ExpectedTurn,
  type ProfileFact,
} from './dialogue-suite.js';

const files = loadDialogues();
const score = new Map<string, { turns: number; passed: number; dialogues: number; clean: number }>();

type Who = ChatWorld['karen'];

async function profile(w: ChatWorld, who: Who): Promise<ProfileFact[]> {
  const r = await w.sys.app.inject({ url: '/v1/me/profile', headers: { authorization: bearer(who.token) } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().facts;
}

/** Every order of the shopper, as its brand's API answers it, by order id. */
async function orders(w: ChatWorld, who: Who): Promise<Map<string, Record<string, unknown>>> {
  const keys = new Map([
    [w.volt.id, w.volt.secretKey],
    [w.deli.id, w.deli.secretKey],
  ]);
  const ids = (
    await w.sys.ctx.db.query('SELECT brand_id, order_id FROM orders WHERE person_id = $1 ORDER BY order_id', [who.id])
  ).rows;
  const out = new Map<string, Record<string, unknown>>();
  for (const { brand_id, order_id } of ids) {
    const r = await w.sys.app.inject({
      url: `/v1/orders/${encodeURIComponent(order_id)}`,
      headers: { authorization: bearer(keys.get(Number(brand_id))!) },
    });
    assert.equal(r.statusCode, 200, r.body);
    out.set(order_id, r.json());
  }
  return out;
}

const fresh = (before: ProfileFact[], after: ProfileFact[]) =>
  after.filter((f) => {
    const was = before.find((b) => b.id === f.id);
    return !was || JSON.stringify([was.value, was.polarity]) !== JSON.stringify([f.value, f.polarity]);
  });

interface Seen {
  facts: ProfileFact[];
  orders: Map<string, Record<string, unknown>>;
}
const look = async (w: ChatWorld, who: Who): Promise<Seen> => {
  const [facts, byId] = await Promise.all([profile(w, who), orders(w, who)]);
  return { facts, orders: byId };
};

/** One turn: says it, then checks everything the turn expects against what was seen before it; returns the problems and what is seen after. */
async function runTurn(
  w: ChatWorld,
  who: Who,
  where: string,
  t: ExpectedTurn,
  said: string,
  before: Seen,
): Promise<{ problems: string[]; seen: Seen }> {
  const { facts: factsBefore, orders: ordersBefore } = before;
  const r = await w.sys.app.inject({
    method: 'POST',
    url: `/v1/conversations/${where}/messages`,
    headers: { authorization: bearer(who.token) },
    payload: { text: t.say },
  });
  if (r.statusCode !== 200) return { problems: [`HTTP ${r.statusCode}: ${r.body}`], seen: await look(w, who) };
  const turn = r.json() as ChatTurn;
  const reply = turn.reply.text;
  const labels = turn.reply.actions.map((a) => a.label);
  const seen = await look(w, who);
  const { facts: factsAfter, orders: ordersAfter } = seen;
  const problems = seedRuleProblems(reply, [...ordersAfter.keys()], said).map((p) => `seed rule: ${p}`);

  if (t.intent && turn.understood.intent !== t.intent)
    problems.push(`intent ${turn.understood.intent}, expected ${t.intent}`);
  if (t.stored) problems.push(...storedProblems(t.stored, fresh(factsBefore, factsAfter)));
  for (const e of t.notStored ?? [])
    for (const f of factsAfter.filter((f) => factMatches(e, f, false))) problems.push(`stored: ${showFact(f)}`);
  for (const s of t.replyHas ?? []) if (!pattern(s).test(reply)) problems.push(`reply lacks ${s}`);
  for (const s of t.replyLacks ?? []) if (pattern(s).test(reply)) problems.push(`reply has ${s}`);
  for (const s of t.actions ?? [])
    if (!labels.some((l) => pattern(s).test(l))) problems.push(`no action ${s} (${labels.join(' | ') || 'none'})`);
  for (const s of t.actionsLack ?? [])
    if (labels.some((l) => pattern(s).test(l))) problems.push(`an action ${s} (${labels.join(' | ')})`);

  // Orders: only the one the turn names may change, and it must have changed as said.
  for (const [id, now] of ordersAfter) {
    const changed = JSON.stringify(now) !== JSON.stringify(ordersBefore.get(id));
    if (t.order?.id === id) {
      const { id: _, ...want } = t.order;
      if (!changed) problems.push(`order ${id} did not change`);
      else if (!matches(want, now))
        problems.push(`order ${id} is ${JSON.stringify(now)}, expected ${JSON.stringify(want)}`);
    } else if (changed) problems.push(`order ${id} changed and the turn does not say so`);
  }
  if (t.order && !ordersAfter.has(t.order.id)) problems.push(`no order ${t.order.id}`);

  if (process.env.CHAT_TRACE)
    console.log(`> ${t.say}\n  [${turn.understood.intent}] ${reply}\n  ${labels.join(' | ')}`);
  return { problems, seen };
}

async function runDialogue(category: string, g: Dialogue): Promise<void> {
  const w = await chatWorld();
  const s = score.get(category)!;
  const failures: string[] = [];
  try {
    if (g.now) w.setNow(new Date(g.now));
    const who = w[g.shopper];
    let said = '';
    let seen = await look(w, who);
    for (const [i, t] of g.turns.entries()) {
      said += ` ${t.say.toLowerCase()}`;
      const turn = await runTurn(w, who, g.brand, t, said, seen);
      seen = turn.seen;
      const problems = turn.problems;
      s.turns++;
      if (problems.length) failures.push(`turn ${i + 1} "${t.say}": ${problems.join('; ')}`);
      else s.passed++;
    }
  } finally {
    await w.sys.close();
  }
  s.dialogues++;
  if (!failures.length) s.clean++;
  assert.deepEqual(failures, [], `${category} / ${g.name}`);
}

for (const f of files) {
  if (!score.has(f.category)) score.set(f.category, { turns: 0, passed: 0, dialogues: 0, clean: 0 });
  // Each dialogue has its own world; two at a time overlap their waits on PostgreSQL.
  describe(`${f.category} (${f.file})`, { concurrency: 2 }, () => {
    for (const g of f.dialogues) test(g.name, () => runDialogue(f.category, g));
  });
}

test('the suite has dialogues', () => {
  assert.ok(files.reduce((n, f) => n + f.dialogues.length, 0) > 0);
});

after(() => {
  const rows = [...score].map(
    ([c, s]) =>
      `  ${c.padEnd(24)} ${`${s.passed}/${s.turns}`.padStart(8)} turns (${s.turns ? ((100 * s.passed) / s.turns).toFixed(0) : 0}%)  ${s.clean}/${s.dialogues} dialogues`,
  );
  const t = [...score.values()].reduce(
    (a, s) => ({
      turns: a.turns + s.turns,
      passed: a.passed + s.passed,
      dialogues: a.dialogues + s.dialogues,
      clean: a.clean + s.clean,
    }),
    { turns: 0, passed: 0, dialogues: 0, clean: 0 },
  );
  rows.push(`  ${'all'.padEnd(24)} ${`${t.passed}/${t.turns}`.padStart(8)} turns  ${t.clean}/${t.dialogues} dialogues`);
  process.stderr.write(`dialogue suite, score per category:\n${rows.join('\n')}\n`);
});
