import { UserError } from './user-errors.ts';

/**
 * Length is what makes a password strong (NIST SP 800-63B §5.1.1): at least 12 characters, no
 * composition rules. The upper bound only stops absurd inputs; argon2 takes any length. Characters
 * are counted as code points, so a password of emoji is not penalised for its UTF-16 length.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_USERNAME_LENGTH = 256;

export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw new UserError('password_too_short');
  if (length > MAX_PASSWORD_LENGTH) throw new UserError('password_too_long');
}

/**
 * Usernames are shown in the console and logs and typed at the sign-in page: at most 256
 * characters, nothing invisible, nothing that cannot be typed there.
 */
export function checkUsernamePolicy(username: string): void {
  const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  if (username.length === 0 || username.length > MAX_USERNAME_LENGTH || username.trim() !== username || controls.test(username)) {
    throw new UserError('username_invalid');
  }
}
