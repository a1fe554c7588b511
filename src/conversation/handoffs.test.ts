/**
 * Handoffs: the operator sees the conversation that led to the request, and the operator's answer reaches the
 * shopper in the thread where they asked (their own Confidant, or the brand's chat).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { chatWorld, type ChatWorld } from './chat-fixtures.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  await w.sys.close();
});

const queue = async (key: string) =>
  (await w.sys.app.inject({ method: 'GET', url: '/v1/handoffs', headers: { authorization: bearer(key) } })).json()
    .handoffs as Array<{ id: string; request: string; transcript: Array<{ role: string; text: string }> }>;
const answer = (key: string, id: string, text: string) =>
  w.sys.app.inject({
    method: 'POST',
    url: `/v1/handoffs/${id}/reply`,
    headers: { authorization: bearer(key) },
    payload: { text },
  });
const thread = async (token: string, where: string) =>
  (
    await w.sys.app.inject({
      method: 'GET',
      url: `/v1/conversations/${where}/messages?limit=50`,
      headers: { authorization: bearer(token) },
    })
  ).json().messages as Array<{ role: string; text: string }>;

describe('handoffs', () => {
  test("the operator sees the lead-up, ending with the request, in the brand's chat", async () => {
    await w.say(w.bob.token, 'volt', 'where is my order?');
    await w.say(w.bob.token, 'volt', 'can you send it to my office instead?');
    await w.say(w.bob.token, 'volt', 'I want to talk to a person');
    const [h] = await queue(w.volt.secretKey);
    const said = h.transcript.filter((m) => m.role === 'shopper').map((m) => m.text);
    assert.deepEqual(said, [
      'where is my order?',
      'can you send it to my office instead?',
      'I want to talk to a person',
    ]);
    assert.ok(
      h.transcript.some((m) => m.role === 'assistant' && /Vitamix/.test(m.text)),
      "the assistant's replies too",
    );
  });

  test('asked in their own Confidant, the answer reaches them there, saying which shop it is from', async () => {
    await w.say(w.dad.token, 'me', 'when will my order arrive?');
    const asked = await w.say(w.dad.token, 'me', 'can I talk to a real person please');
    assert.match(asked.reply.text, /Corner Deli/);
    assert.match(asked.reply.text, /Their answer will appear right here/);
    const [h] = await queue(w.deli.secretKey);
    assert.deepEqual(
      h.transcript.filter((m) => m.role === 'shopper').map((m) => m.text),
      ['when will my order arrive?', 'can I talk to a real person please'],
      'the lead-up from the thread where dad asked',
    );
    assert.equal((await answer(w.deli.secretKey, h.id, 'Hi Frank, your bagels are on the way.')).statusCode, 200);
    const mine = await thread(w.dad.token, 'me');
    assert.deepEqual(mine.at(-1), {
      ...mine.at(-1),
      role: 'operator',
      text: 'Corner Deli: Hi Frank, your bagels are on the way.',
    });
    assert.ok(
      !(await thread(w.dad.token, 'corner-deli')).some((m) => m.role === 'operator'),
      'not in a thread he did not use',
    );
  });
});
