/**
 * The person's own Confidant on an Alexa device: a custom skill whose one intent carries what they said
 * (`TalkIntent` with an `utterance` slot, AMAZON.SearchQuery), answered by the same chat as the page (their own
 * Confidant, across the shops they linked) and spoken as SSML under the same rules (at most two sentences).
 * Account linking uses the sign-in that exists: the access token Alexa sends is a Confidant access token, which
 * the person gave Alexa on their Confidant page (`/v1/voice/alexa/authorize`).
 */
import {
  escapeXmlCharacters,
  getAccountLinkingAccessToken,
  getIntentName,
  getRequestType,
  getSlotValue,
  type HandlerInput,
  SkillBuilders,
} from 'ask-sdk-core';
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import type { AppContext } from '../context.js';
import { personByToken, type Person } from '../people/people.js';
import { respond } from '../conversation/respond.js';
import { MAX_TEXT } from '../conversation/respond.js';

const speak = (text: string) => `<speak>${escapeXmlCharacters(text)}</speak>`;

/** The person whose Confidant this is, from the account-linking token; null when the skill is not linked. */
async function personOf(ctx: AppContext, input: HandlerInput): Promise<Person | null> {
  const token = getAccountLinkingAccessToken(input.requestEnvelope);
  return token?.startsWith('tok_') ? personByToken(ctx.db, token, ctx.now()) : null;
}

function notLinked(input: HandlerInput) {
  return input.responseBuilder
    .speak(speak('Link your Confidant in the Alexa app first, then ask me again.'))
    .withLinkAccountCard()
    .withShouldEndSession(true)
    .getResponse();
}

export function alexaSkill(ctx: AppContext) {
  const skill = SkillBuilders.custom()
    .addRequestHandlers(
      {
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'LaunchRequest',
        async handle(input) {
          const person = await personOf(ctx, input);
          if (!person) return notLinked(input);
          const name = person.displayName ? `Hi ${person.displayName.split(/[\s(]/)[0]}. ` : 'Hi. ';
          return input.responseBuilder
            .speak(speak(`${name}Ask me about an order, or tell me what you like.`))
            .reprompt(speak('What can I do for you?'))
            .getResponse();
        },
      },
      {
        canHandle: (input) =>
          getRequestType(input.requestEnvelope) === 'IntentRequest' &&
          getIntentName(input.requestEnvelope) === 'TalkIntent',
        async handle(input) {
          const person = await personOf(ctx, input);
          if (!person) return notLinked(input);
          const said = (getSlotValue(input.requestEnvelope, 'utterance') ?? '').trim().slice(0, MAX_TEXT);
          if (!said)
            return input.responseBuilder
              .speak(speak("Sorry, I didn't catch that."))
              .reprompt(speak('What can I do for you?'))
              .getResponse();
          const turn = await respond(ctx, person, null, said);
          return input.responseBuilder
            .speak(speak(turn.reply.text))
            .reprompt(speak('Anything else?'))
            .withSimpleCard('Confidant', turn.reply.text)
            .getResponse();
        },
      },
      {
        canHandle: (input) =>
          getRequestType(input.requestEnvelope) === 'IntentRequest' &&
          getIntentName(input.requestEnvelope) === 'AMAZON.HelpIntent',
        handle: (input) =>
          input.responseBuilder
            .speak(speak('Ask when your order arrives, or tell me something like: I am vegan now.'))
            .reprompt(speak('What can I do for you?'))
            .getResponse(),
      },
      {
        canHandle: (input) =>
          getRequestType(input.requestEnvelope) === 'IntentRequest' &&
          ['AMAZON.StopIntent', 'AMAZON.CancelIntent', 'AMAZON.NavigateHomeIntent'].includes(
            getIntentName(input.requestEnvelope),
          ),
        handle: (input) => input.responseBuilder.speak(speak('Goodbye.')).withShouldEndSession(true).getResponse(),
      },
      {
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'SessionEndedRequest',
        handle: (input) => input.responseBuilder.getResponse(),
      },
      {
        // Any other intent of the interaction model: say what works.
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'IntentRequest',
        handle: (input) =>
          input.responseBuilder
            .speak(speak('Ask me about an order, or tell me what you like.'))
            .reprompt(speak('What can I do for you?'))
            .getResponse(),
      },
    )
    .addErrorHandlers({
      canHandle: () => true,
      handle(input, error) {
        ctx.log.error({ err: error }, 'the Alexa skill failed');
        return input.responseBuilder.speak(speak('Sorry, something went wrong. Please try again.')).getResponse();
      },
    });
  if (process.env.ALEXA_SKILL_ID) skill.withSkillId(process.env.ALEXA_SKILL_ID);
  const built = skill.create();
  return (envelope: RequestEnvelope): Promise<ResponseEnvelope> => built.invoke(envelope);
}
