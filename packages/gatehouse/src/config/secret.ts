import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A client secret from the configuration. It prints, serializes and inspects as `[redacted]` so a
 * logged or dumped configuration never leaks it; `reveal()` is the one deliberate way to read it.
 */
export class SecretString {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  get length(): number {
    return this.#value.length;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
