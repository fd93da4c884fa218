import { ServerError } from '../../errors.ts';
import { parseStoreUrl, redactStoreUrl, type StoreLocation } from '../../store/store-url.ts';
import { reader, reject, stringValue, type Reader } from '../readers.ts';

/**
 * `store:` — `sqlite:PATH` (relative to the configuration file), `sqlite::memory:`, or a
 * postgres:// / postgresql:// URL. The store module owns the URL syntax; this reports its refusal
 * as an issue, with any password redacted.
 */
export const storeLocation: Reader<StoreLocation> = reader('sqlite:PATH, sqlite::memory: or postgres://user@host:port/database', (value) => {
  const text = stringValue(value);
  if (text === undefined) return reject(value, storeLocation.expected);
  try {
    return parseStoreUrl(text, value.context.baseDir);
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    const found = value.node.kind === 'scalar' && value.node.substituted ? undefined : JSON.stringify(redactStoreUrl(text));
    return reject(value, storeLocation.expected, found === undefined ? {} : { found });
  }
});
