/** Manners: hello, a person when asked, "stop", swearing and apologies, and honesty when lost. */
import { openHandoff, whenSeenPhrase } from '../handoffs.js';
import {
  channelsIn,
  contactState,
  liftAbusePause,
  pauseForAbuse,
  resumeMessages,
  stopMessages,
  type ChannelOrAll,
} from '../../messaging/index.js';
import type { Answer, Turn } from '../turn.js';
import { list } from '../wording.js';
import { ACT } from './orders.js';
import { linkedBrandIds } from './shop.js';

const firstName = (turn: Turn) => (turn.person.displayName ?? '').split(/\s+/)[0]?.replace(/[^\p{L}'-]/gu, '') ?? '';

export async function greeting(turn: Turn): Promise<Answer> {
  const name = firstName(turn);
  if (/\b(thanks?|thank you|thx|ty|cheers|appreciate)\b/i.test(turn.text))
    return { say: ["You're welcome!"], ask: 'Anything else I can help with?', actions: [] };
  if (/\b(bye|goodbye|see (you|ya)|good night|later|that's all)\b/i.test(turn.text))
    return { say: [`Bye for now${name ? `, ${name}` : ''}!`], actions: [] };
  return {
    say: [`Hi${name ? ` ${name}` : ''}!`],
    ask: 'Want to check an order, find something new, or tell me what you like?',
    actions: [
      { label: 'Where is my order?', value: 'where is my order?', intent: 'order_status' },
      ACT.shop,
      { label: 'What do you know?', value: 'what do you know about me?', intent: 'what_do_you_know' },
    ],
  };
}

export async function other(turn: Turn): Promise<Answer> {
  void turn;
  return {
    say: ["Sorry, I didn't get that"],
    ask: 'I can check an order, start a return or suggest something; which would help?',
    actions: [
      { label: 'Where is my order?', value: 'where is my order?', intent: 'order_status' },
      ACT.ret,
      ACT.shop,
      ACT.human,
    ],
  };
}

/**
 * "I want a human": a handoff the brand's operators see, and an honest word on when. In the shopper's
 * own Confidant, the brand is the one the conversation was last about, or the only one linked.
 */
export async function talkToHuman(turn: Turn): Promise<Answer> {
  let brandId = turn.brand?.id ?? turn.state.lastOrders[0]?.brandId;
  if (!brandId) {
    const linked = await linkedBrandIds(turn);
    if (linked.length === 1) brandId = linked[0];
    if (!brandId) {
      const names = linked.slice(0, 3).map((id) => turn.brandName(id));
      return {
        say: [
          "Confidant has no support team of its own, so I can't reach a person from here",
          names.length
            ? `Ask for one in ${list(names, 'or')}'s chat and they'll pick it up`
            : "Ask in the shop's own chat and they'll pick it up",
        ],
        actions: [],
      };
    }
  }
  const { existed } = await openHandoff(turn.tx, {
    personId: turn.person.id,
    brandId,
    request: turn.text,
    now: turn.now,
    askedIn: turn.brandId,
  });
  const when = whenSeenPhrase(turn.now, turn.person.timeZone);
  const who = turn.brandName(brandId);
  return {
    say: [
      existed
        ? `A person from ${who} already has your request and will see it ${when}`
        : `I've asked a person from ${who} to help, and they'll see it ${when}`,
      'Their answer will appear right here',
    ],
    actions: [],
  };
}

export async function abuse(turn: Turn): Promise<Answer> {
  const already = await pauseForAbuse(turn.tx, turn.person.id, turn.brandId, turn.now);
  // Replies calmly once; after that, briefly, without repeating itself.
  if (already) return { say: ["I'm still here whenever you'd like help"], actions: [ACT.human] };
  return {
    say: [
      "I'm sorry this has been frustrating",
      "I've paused our marketing messages to you, and I'm here whenever you'd like help",
    ],
    actions: [{ label: 'Where is my order?', value: 'where is my order?', intent: 'order_status' }, ACT.human],
  };
}

export async function apology(turn: Turn): Promise<Answer> {
  const lifted = await liftAbusePause(turn.tx, turn.person.id, turn.brandId, turn.now);
  // Only the pause lifts: what the person stopped before stays stopped, and the reply says so.
  const stillStopped = lifted ? (await contactState(turn.tx, turn.person.id, turn.brandId)).optedOut : [];
  if (lifted)
    return {
      say: ['No harm done, and thank you for saying so'],
      ask: stillStopped.length
        ? `Messages are back as they were, and the ${list(stillStopped.map((c) => CHANNEL_WORDS[c === 'webhook' ? 'sms' : c]))} you stopped stay off; how can I help?`
        : "I've turned your messages back on; how can I help?",
      actions: [{ label: 'Where is my order?', value: 'where is my order?', intent: 'order_status' }, ACT.shop],
    };
  return {
    say: ['No need to apologise!'],
    ask: 'How can I help?',
    actions: [{ label: 'Where is my order?', value: 'where is my order?', intent: 'order_status' }, ACT.shop],
  };
}

const CHANNEL_WORDS: Record<ChannelOrAll, string> = {
  all: 'messages',
  email: 'emails',
  sms: 'texts',
  push: 'push notifications',
  chat: 'chat messages',
};
const UNDO_WORDS: Record<ChannelOrAll, string> = {
  all: 'you can message me again',
  email: 'you can email me again',
  sms: 'you can text me again',
  push: 'you can send me notifications again',
  chat: 'you can message me in chat again',
};

export async function stopMessagesAnswer(turn: Turn): Promise<Answer> {
  const channels = channelsIn(turn.text);
  await stopMessages(turn.tx, turn.person.id, turn.brandId, channels, 'chat', turn.now);
  const from = turn.brand ? `from ${turn.brand.name}` : 'from any brand through Confidant';
  const what = list(channels.map((c) => CHANNEL_WORDS[c]));
  return {
    say: [`Done: no more ${what} ${from}`, 'Just tell me if you want them back'],
    actions: [
      {
        label: 'Undo',
        value: channels.length === 1 ? UNDO_WORDS[channels[0]] : UNDO_WORDS.all,
        intent: 'resume_messages',
      },
    ],
  };
}

export async function resumeMessagesAnswer(turn: Turn): Promise<Answer> {
  const channels = channelsIn(turn.text);
  const stillEverywhere = await resumeMessages(turn.tx, turn.person.id, turn.brandId, channels, 'chat', turn.now);
  await liftAbusePause(turn.tx, turn.person.id, turn.brandId, turn.now);
  const who = turn.brand ? turn.brand.name : 'Brands';
  const what = list(channels.map((c) => CHANNEL_WORDS[c]));
  return {
    say: [
      `Done: ${who} may send you ${what} again`,
      stillEverywhere
        ? 'Your stop for every brand still applies, and you can lift it in your own Confidant'
        : 'You can say stop anytime',
    ],
    actions: [],
  };
}
