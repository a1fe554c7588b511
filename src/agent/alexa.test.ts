/**
 * The Alexa endpoint from request envelopes as Alexa sends them: a launch, an utterance answered from Karen's
 * orders (spoken under the reply rules), the end of a session, an unlinked device, account linking through the
 * sign-in that exists, and an unsigned request refused while signature checking is on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatWorld, type ChatWorld } from '../conversation/chat-fixtures.js';
import { replyProblems } from '../conversation/compose.js';

let world: ChatWorld;
before(async () => {
  world = await chatWorld();
});
after(() => world?.sys.close());

function envelope(request: Record<string, unknown>, accessToken?: string) {
  const user = { userId: 'amzn1.ask.account.TEST', ...(accessToken ? { accessToken } : {}) };
  const application = { applicationId: 'amzn1.ask.skill.test' };
  return {
    version: '1.0',
    session: { new: request.type === 'LaunchRequest', sessionId: 'amzn1.echo-api.session.1', application, user },
    context: {
      System: {
        application,
        user,
        device: { deviceId: 'amzn1.ask.device.1', supportedInterfaces: {} },
        apiEndpoint: 'https://api.amazonalexa.com',
      },
    },
    request: {
      requestId: 'amzn1.echo-api.request.1',
      timestamp: new Date().toISOString(),
      locale: 'en-US',
      ...request,
    },
  };
}

const talk = (utterance: string) => ({
  type: 'IntentRequest',
  dialogState: 'COMPLETED',
  intent: {
    name: 'TalkIntent',
    confirmationStatus: 'NONE',
    slots: { utterance: { name: 'utterance', value: utterance, confirmationStatus: 'NONE' } },
  },
});

async function alexa(body: object, headers: Record<string, string> = {}) {
  return world.sys.app.inject({ method: 'POST', url: '/v1/voice/alexa', headers, payload: body });
}

const spoken = (ssml: string) => {
  const m = /^<speak>([\s\S]*)<\/speak>$/.exec(ssml);
  assert.ok(m, `SSML: ${ssml}`);
  return m[1]
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
};

describe('the Alexa endpoint', () => {
  test('with signature checking on, a request not signed by Alexa is refused', async () => {
    delete process.env.ALEXA_VERIFY_SIGNATURES;
    const r = await alexa(envelope({ type: 'LaunchRequest' }, world.karen.token));
    assert.equal(r.statusCode, 401);
    assert.match(r.json().error.message, /not signed by Alexa/);
    const forged = await alexa(envelope({ type: 'LaunchRequest' }, world.karen.token), {
      signaturecertchainurl: 'https://evil.example/echo.api/cert.pem',
      signature: 'AAAA',
      'signature-256': 'AAAA',
    });
    assert.equal(forged.statusCode, 401);
  });

  test('launch, an order question answered from her orders in SSML, and the end of the session', async () => {
    process.env.ALEXA_VERIFY_SIGNATURES = '0';
    const launch = (await alexa(envelope({ type: 'LaunchRequest' }, world.karen.token))).json();
    assert.match(spoken(launch.response.outputSpeech.ssml), /^Hi Karen\. Ask me about an order/);
    assert.equal(launch.response.shouldEndSession, false);

    const r = await alexa(envelope(talk('when will my order arrive'), world.karen.token));
    assert.equal(r.statusCode, 200);
    const answer = r.json().response;
    assert.equal(answer.outputSpeech.type, 'SSML');
    const said = spoken(answer.outputSpeech.ssml);
    assert.match(said, /Philips Sonicare/);
    assert.match(said, /tomorrow/i);
    assert.deepEqual(replyProblems(said), [], 'spoken under the same rules as text');
    assert.equal(answer.card.type, 'Simple');

    const ended = (
      await alexa(envelope({ type: 'SessionEndedRequest', reason: 'USER_INITIATED' }, world.karen.token))
    ).json();
    assert.equal(ended.version, '1.0');
    assert.equal(ended.response.outputSpeech, undefined);
  });

  test('a device whose account is not linked is asked to link, and learns nothing', async () => {
    process.env.ALEXA_VERIFY_SIGNATURES = '0';
    const r = (await alexa(envelope(talk('when will my order arrive')))).json();
    assert.equal(r.response.card.type, 'LinkAccount');
    assert.doesNotMatch(r.response.outputSpeech.ssml, /Sonicare/);
    const forged = (await alexa(envelope(talk('when will my order arrive'), 'tok_not-a-real-token'))).json();
    assert.equal(forged.response.card.type, 'LinkAccount');
  });

  test('account linking: the signed-in person allows Alexa and it gets an access token of its own', async () => {
    process.env.ALEXA_VERIFY_SIGNATURES = '0';
    const q = new URLSearchParams({
      client_id: 'alexa',
      response_type: 'token',
      state: 'xyz',
      redirect_uri: 'https://pitangui.amazon.com/api/skill/link/M1',
    });
    const cookie = { confidant_session: world.dad.token };
    const form = await world.sys.app.inject({ url: `/v1/voice/alexa/authorize?${q}`, cookies: cookie });
    assert.match(form.body, /Let Alexa talk to your Confidant/);
    assert.match(
      form.headers['content-security-policy'] as string,
      /form-action 'self' https:\/\/pitangui\.amazon\.com/,
    );
    const nobody = await world.sys.app.inject({ url: `/v1/voice/alexa/authorize?${q}` });
    assert.match(nobody.body, /Sign in first/);
    const evil = await world.sys.app.inject({
      url: `/v1/voice/alexa/authorize?${new URLSearchParams({ state: 'x', redirect_uri: 'https://evil.example/cb' })}`,
      cookies: cookie,
    });
    assert.equal(evil.statusCode, 400);

    const allowed = await world.sys.app.inject({
      method: 'POST',
      url: '/v1/voice/alexa/authorize',
      cookies: cookie,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: q.toString(),
    });
    assert.equal(allowed.statusCode, 302);
    const back = new URL(allowed.headers.location as string);
    assert.equal(back.origin, 'https://pitangui.amazon.com');
    const fragment = new URLSearchParams(back.hash.slice(1));
    assert.equal(fragment.get('state'), 'xyz');
    const token = fragment.get('access_token') ?? '';
    assert.match(token, /^tok_/);
    const launch = (await alexa(envelope({ type: 'LaunchRequest' }, token))).json();
    assert.match(spoken(launch.response.outputSpeech.ssml), /^Hi Frank\./);
  });
});
