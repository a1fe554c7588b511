/**
 * Time in the person's zone: quiet hours and calendar days and weeks. Day, weekday and hour are all read from one
 * conversion into the zone (never the weekday in UTC and the hour locally), and instants are found back from local
 * times with the zone's offset at that instant, so DST changes fall where they should.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formats.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  /** minutes after local midnight */
  minutes: number;
  /** minutes the zone is ahead of UTC */
  offset: number;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const p: Record<string, string> = {};
  for (const part of formatFor(timeZone).formatToParts(at)) p[part.type] = part.value;
  const year = Number(p.year);
  const month = Number(p.month);
  const day = Number(p.day);
  const hour = Number(p.hour);
  const minute = Number(p.minute);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, Number(p.second));
  const offset = Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  return { year, month, day, weekday: WEEKDAYS[p.weekday], minutes: hour * 60 + minute, offset };
}

/** The instant the zone's clocks show `minutes` after midnight of (year, month, day); day may overflow the month. */
export function localInstant(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  // The offset at the guess, then at the corrected instant (they differ only across a change of offset).
  let t = wall - localTime(new Date(wall), timeZone).offset * 60000;
  t = wall - localTime(new Date(t), timeZone).offset * 60000;
  return new Date(t);
}

export interface QuietHours {
  /** minutes after local midnight; start > end means the window spans midnight */
  start: number;
  end: number;
}

export const DEFAULT_QUIET: QuietHours = { start: 21 * 60, end: 8 * 60 };

/** When the quiet window `at` falls in ends, or null when `at` is outside it (or the window is empty). */
export function quietUntil(at: Date, timeZone: string, q: QuietHours): Date | null {
  if (q.start === q.end) return null;
  const t = localTime(at, timeZone);
  const m = t.minutes;
  const inside = q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
  if (!inside) return null;
  return localInstant(t.year, t.month, t.day + (m < q.end ? 0 : 1), q.end, timeZone);
}

/** The start of the local calendar day and of the local calendar week (Monday) that `at` falls in. */
export function calendarStarts(at: Date, timeZone: string): { day: Date; week: Date; nextDay: Date; nextWeek: Date } {
  const t = localTime(at, timeZone);
  const back = (t.weekday + 6) % 7;
  return {
    day: localInstant(t.year, t.month, t.day, 0, timeZone),
    nextDay: localInstant(t.year, t.month, t.day + 1, 0, timeZone),
    week: localInstant(t.year, t.month, t.day - back, 0, timeZone),
    nextWeek: localInstant(t.year, t.month, t.day - back + 7, 0, timeZone),
  };
}

export const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export function parseHhmm(s: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
