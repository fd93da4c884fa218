/**
 * Why the users service refuses a change. The CLI and the admin API show the message; tests
 * assert the code. (To be folded into the server's one registry, src/errors.ts, with
 * docs/reference/errors.md.)
 */
export const USER_ERROR_CODES = {
  password_too_short: 'The password is shorter than 12 characters.',
  password_too_long: 'The password is longer than 1024 characters.',
  username_invalid: 'The username is empty, longer than 256 characters, has spaces at either end, or contains control characters.',
  user_not_found: 'No user has this id.',
} as const;

export type UserErrorCode = keyof typeof USER_ERROR_CODES;

export class UserError extends Error {
  readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string = USER_ERROR_CODES[code]) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}
