/**
 * `time: { days, from, to, tz }`: local time in `tz` within [from, to) on one of the days. When
 * `to` is earlier than `from` the window runs past midnight and belongs to the day it starts:
 * `{ days: [fri], from: "22:00", to: "06:00" }` covers Friday 22:00 to Saturday 06:00. Local time
 * is wall-clock time, so across a DST change a window follows the clock on the wall.
 *
 * The Intl formatter is built once, here, and its answer is kept for the current minute: every
 * zone in use today is a whole number of minutes from UTC, so one UTC minute is one local minute.
 */
import { WEEKDAYS, type TimeCondition, type Weekday } from '../../config/types.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

const MINUTE_MS = 60_000;
const DAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function compile(condition: TimeCondition): CompiledCondition {
  const { fromMinute: from, toMinute: to, timeZone } = condition;
  const dayMask = condition.days.reduce((mask, day) => mask | (1 << WEEKDAYS.indexOf(day)), 0);
  const onDay = (day: number): boolean => (dayMask & (1 << day)) !== 0;
  const clock = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });

  let cachedUtcMinute = Number.NaN;
  let day = 0;
  let minuteOfDay = 0;
  const readClock = (now: number): void => {
    const utcMinute = Math.floor(now / MINUTE_MS);
    if (utcMinute === cachedUtcMinute) return;
    let hour = 0;
    let minute = 0;
    for (const part of clock.formatToParts(now)) {
      if (part.type === 'weekday') day = DAY_INDEX[part.value]!;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    minuteOfDay = hour * 60 + minute;
    cachedUtcMinute = utcMinute;
  };
  const inWindow = (): boolean =>
    from < to
      ? onDay(day) && minuteOfDay >= from && minuteOfDay < to
      : (onDay(day) && minuteOfDay >= from) || (onDay((day + 6) % 7) && minuteOfDay < to);

  const window = `${listed(condition.days)} ${clockText(from)}-${clockText(to)} ${timeZone}`;
  return leafCondition(
    condition,
    (request) => {
      readClock(request.now);
      return inWindow() ? 'time_in_window' : 'time_outside_window';
    },
    (request, reason) => {
      readClock(request.now);
      const local = `${WEEKDAYS[day] as Weekday} ${clockText(minuteOfDay)}`;
      return `local time ${local} is ${reason === 'time_in_window' ? 'inside' : 'outside'} ${window}`;
    },
  );
}

function clockText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
