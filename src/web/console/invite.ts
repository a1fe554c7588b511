/** `npx confidant console invite --brand SLUG --email ADDRESS`: e-mails a brand's person a way into the console. */
import type { AppContext } from '../../context.js';
import { brandBySlug } from '../../brands/brands.js';
import { AppError } from '../../errors.js';
import { sendMail } from '../../messaging/index.js';
import { INVITE_HOURS, inviteToken } from './session.js';

export async function inviteToConsole(
  ctx: AppContext,
  brandSlug: string,
  email: string,
): Promise<{ url: string; mailed: boolean }> {
  const brand = await brandBySlug(ctx.db, brandSlug);
  if (!brand) throw new AppError('not_found', `no brand "${brandSlug}"`, '--brand');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new AppError('validation_failed', `"${email}" is not an e-mail address`, '--email');
  // In the fragment: the invite never reaches a server log or a Referer; the console page posts it.
  const url = `${ctx.publicUrl.replace(/\/$/, '')}/console#invite=${encodeURIComponent(inviteToken(ctx, brand.id, email))}`;
  const mailed = await sendMail(ctx, {
    to: email,
    subject: `Your invitation to ${brand.name}'s Confidant console`,
    text: `You are invited to ${brand.name}'s console on Confidant: its figures and the shoppers waiting for a person.\n\nOpen it here (the link works for ${INVITE_HOURS} hours):\n${url}\n`,
  });
  return { url, mailed };
}
