/**
 * An upcoming birthday of someone the person shops for: "Your dad's birthday is June 3, in two weeks, and he loves
 * fly fishing." Only people who let the brand use some of their profile for marketing are looked at, and only through
 * the gatekeeper (each look is in their activity log). The birthday itself must be in the brand's marketing view; what
 * he loves is named in the template and the messaging room's guard keeps it only when the person granted it (else the
 * variant without it goes). Once per person shopped for and year, 1 to 14 days ahead in the person's time zone.
 */
import { personsGranting } from '../../gatekeeper/grants.js';
import { viewFor } from '../../gatekeeper/index.js';
import { personById } from '../../people/people.js';
import { localDate } from '../../time.js';
import type { Firing, FindFirings } from './kinds.js';

export const BIRTHDAY_DAYS_AHEAD = 14;
const HE = /^(dad|father|brother|husband|son|grandpa|grandfather|uncle|boyfriend|nephew|stepdad)$/;
const SHE = /^(mom|mum|mother|sister|wife|daughter|grandma|grandmother|aunt|girlfriend|niece|stepmom)$/;

const when = (days: number) =>
  days === 1 ? 'tomorrow' : days === 7 ? 'in a week' : days === 14 ? 'in two weeks' : `in ${days} days`;

/** Days from the local date of `now` to the next month/day (0 today), and the year it falls in. */
export function daysUntil(now: Date, timeZone: string, month: number, day: number): { days: number; year: number } {
  const today = localDate(now, timeZone);
  const start = Date.UTC(today.year, today.month - 1, today.day);
  let year = today.year;
  let next = Date.UTC(year, month - 1, day);
  if (next < start) next = Date.UTC(++year, month - 1, day);
  return { days: Math.round((next - start) / 86_400_000), year };
}

export const birthdays: FindFirings = async (ctx, brandId, now) => {
  const firings: Firing[] = [];
  // Facts about the people someone shops for are the `gifts` scope: nobody else is looked at.
  for (const personId of await personsGranting(ctx.db, brandId, 'marketing', now, ['gifts'])) {
    const view = await viewFor(ctx.db, {
      viewer: { brand: brandId },
      person: { id: personId },
      purpose: 'marketing',
      call: 'trigger:birthday',
      action: 'use_in_message',
      at: ctx.now(),
      inTransaction: false,
    });
    const dates = view.facts.filter((f) => {
      const v = f.value as { occasion?: string; month?: number; day?: number };
      return f.kind === 'date' && f.about !== 'self' && v?.occasion === 'birthday' && v.month && v.day;
    });
    if (dates.length === 0) continue;
    const person = await personById(ctx.db, personId);
    if (!person) continue;
    for (const f of dates) {
      const v = f.value as { month: number; day: number };
      const { days, year } = daysUntil(now, person.timeZone, v.month, v.day);
      if (days < 1 || days > BIRTHDAY_DAYS_AHEAD) continue;
      const pronoun = HE.test(f.about) ? 'he loves' : SHE.test(f.about) ? 'she loves' : 'they love';
      const who = /^[a-z]/.test(f.about) ? `Your ${f.about}'s` : `${f.about}'s`;
      firings.push({
        trigger: 'birthday',
        brandId,
        personId,
        windowKey: `${f.about}:${year}`,
        purpose: 'marketing',
        subject: `${who} birthday is ${when(days)}`,
        variants: [
          `${who} birthday is {{fact:${f.id}}}, ${when(days)}, and ${pronoun} {{fact.like:${f.about}}}.`,
          `${who} birthday is {{fact:${f.id}}}, ${when(days)}.`,
        ],
        data: { about: f.about, days },
      });
    }
  }
  return firings;
};
