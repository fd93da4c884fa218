import { resolve } from 'node:path';
import { reader, reject, stringValue, type Reader, type ValueAt } from '../readers.ts';

/** Relative paths resolve against the configuration file's directory, not the working directory. */
export function resolveFilePath(value: ValueAt, text: string): string {
  return resolve(value.context.baseDir, text);
}

/** A file path, returned absolute. */
export const filePath: Reader<string> = reader('a file path', (value) => {
  const text = stringValue(value);
  return text === undefined || text === '' || text.includes('\0') ? reject(value, filePath.expected) : resolveFilePath(value, text);
});
