import { didYouMean, reader, reject, stringValue, textReader, type Reader } from '../readers.ts';

/** `HH:MM` on a 24-hour clock, as minutes after midnight; `24:00` only where it ends a window. */
export function timeOfDay(options: { readonly endOfDay: boolean }): Reader<number> {
  const expected = options.endOfDay ? 'a time HH:MM from 00:00 to 24:00' : 'a time HH:MM from 00:00 to 23:59';
  return textReader(expected, (text) => {
    if (options.endOfDay && text === '24:00') return 24 * 60;
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
    return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
  });
}

/** An IANA time zone as this Node's Intl knows it, normalized to its canonical name. */
export const timeZone: Reader<string> = reader('an IANA time zone like Europe/Paris or UTC', (value) => {
  const text = stringValue(value);
  if (text !== undefined && text !== '') {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
    } catch {
      // RangeError: not a zone this runtime knows; suggest the nearest one below.
    }
  }
  const hint = text === undefined ? undefined : didYouMean(text, Intl.supportedValuesOf('timeZone'));
  return reject(value, timeZone.expected, hint === undefined ? {} : { hint });
});
