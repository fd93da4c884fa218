import { SERVER_ERROR_CODES, ServerError, type ServerErrorCode } from '../../errors.ts';

/** Why the users service refuses a change: codes of the server's one registry (src/errors.ts). */
export type UserErrorCode = Extract<ServerErrorCode, 'password_too_short' | 'password_too_long' | 'username_invalid' | 'user_not_found'>;

/** A ServerError whose code is a UserErrorCode. The CLI and the admin API show the message; tests assert the code. */
export class UserError extends ServerError {
  declare readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string = SERVER_ERROR_CODES[code]) {
    super(code, message);
    this.name = 'UserError';
  }
}
