/**
 * E-mail over SMTP (`SMTP_URL`, e.g. smtp://user:pass@host:587), for sign-in links and for brands' messages. With no
 * SMTP server configured, a sign-in mail is written to the server log instead, so a local install can still sign in.
 * A marketing e-mail carries a one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https URL and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`) and the same link in its text; its Reply-To carries a token
 * so a reply saying "stop" opts out. The Message-ID is the message's own, so a resend after a crash is the same mail.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    // Pooled connections: a campaign reuses them instead of a handshake per mail.
    const pooled = /[?&]pool=/.test(url) ? url : `${url}${url.includes('?') ? '&' : '?'}pool=true&maxConnections=8`;
    t = nodemailer.createTransport(pooled);
    transports.set(url, t);
  }
  return t;
}

/** Closes the pooled connections (a test or bench that stops its SMTP server). */
export function closeMailTransports() {
  for (const t of transports.values()) t.close();
  transports.clear();
}

const from = () => process.env.MAIL_FROM ?? 'Confidant <no-reply@confidant.local>';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one e-mail; returns false when no SMTP server is configured and the mail was logged instead. */
export async function sendMail(ctx: Pick<AppContext, 'log'>, mail: Mail): Promise<boolean> {
  // Read at call time: tests (and operators) can point it at a server after start-up.
  const url = process.env.SMTP_URL;
  if (!url) {
    ctx.log.info(
      { to: mail.to, subject: mail.subject },
      `no SMTP_URL configured; the e-mail would have said:\n${mail.text}`,
    );
    return false;
  }
  try {
    await transportFor(url).sendMail({ from: from(), ...mail });
    return true;
  } catch (err) {
    ctx.log.error({ err, to: mail.to }, 'sending an e-mail failed');
    throw new AppError('internal', 'the e-mail could not be sent; please try again in a moment');
  }
}

export interface MessageMail {
  to: string;
  fromName: string;
  subject: string;
  text: string;
  messageId: string;
  /** marketing: the one-click unsubscribe URL */
  unsubscribeUrl: string | null;
  replyTo: string;
}

/** Sends a brand's message; answers the provider's id (the SMTP server's answer). A failure throws (retried). */
export async function sendMessageMail(ctx: Pick<AppContext, 'log'>, m: MessageMail): Promise<string> {
  const url = process.env.SMTP_URL;
  const body = m.unsubscribeUrl
    ? `${m.text}\n\n--\nYou get this because you allowed ${m.fromName} to send you offers through Confidant.\nUnsubscribe: ${m.unsubscribeUrl}\nOr reply "stop".\n`
    : `${m.text}\n`;
  if (!url) {
    ctx.log.info({ to: m.to, subject: m.subject }, `no SMTP_URL configured; the message would have said:\n${body}`);
    return 'logged';
  }
  const address = /<([^>]+)>/.exec(from())?.[1] ?? from();
  const info = await transportFor(url).sendMail({
    from: { name: `${m.fromName} via Confidant`, address },
    to: m.to,
    replyTo: m.replyTo,
    subject: m.subject,
    text: body,
    messageId: `<${m.messageId}@confidant>`,
    ...(m.unsubscribeUrl
      ? {
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
          list: { unsubscribe: { url: m.unsubscribeUrl, comment: 'Unsubscribe' } },
        }
      : {}),
  });
  return `${info.messageId} ${String(info.response ?? '').slice(0, 200)}`.trim();
}
