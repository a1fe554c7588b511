/**
 * The sign-in e-mail goes out over SMTP (`SMTP_URL`, e.g. smtp://user:pass@host:587). With none configured, the
 * message is written to the server log instead, so a local install can still sign in.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

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
    await transportFor(url).sendMail({
      from: process.env.MAIL_FROM ?? 'Confidant <no-reply@confidant.local>',
      ...mail,
    });
    return true;
  } catch (err) {
    ctx.log.error({ err, to: mail.to }, 'sending an e-mail failed');
    throw new AppError('internal', 'the e-mail could not be sent; please try again in a moment');
  }
}
