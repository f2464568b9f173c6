import { KeycardError } from '../core/errors.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

/** Refuses passwords that are too short, absurdly long, or among the most common ones (NIST SP 800-63B). */
export function checkPasswordStrength(password: string, field = 'password'): void {
  // Code points, not UTF-16 units: an emoji counts as one character.
  const length = password.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw weak(field, `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw weak(field, `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw weak(field, 'This password is among the most common ones; choose another.');
  }
}

function weak(field: string, message: string): KeycardError {
  return new KeycardError('password_too_weak', { message, details: { field } });
}
