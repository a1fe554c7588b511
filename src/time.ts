/** Small time-zone helpers on top of Intl, so replies can say "tomorrow by 7 PM" in the shopper's zone. */

/** Minutes the zone is ahead of UTC at `at`. */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

/** The local calendar date (y, m, d) of `at` in the zone. */
export function localDate(at: Date, timeZone: string): { year: number; month: number; day: number; weekday: number } {
  const shifted = new Date(at.getTime() + zoneOffsetMinutes(at, timeZone) * 60000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
  };
}

/** The instant of `hour:minute` local time, `daysAhead` days after the local date of `from`. */
export function atLocalTime(from: Date, timeZone: string, daysAhead: number, hour: number, minute = 0): Date {
  const d = localDate(from, timeZone);
  const guess = new Date(Date.UTC(d.year, d.month - 1, d.day + daysAhead, hour, minute));
  return new Date(guess.getTime() - zoneOffsetMinutes(guess, timeZone) * 60000);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
