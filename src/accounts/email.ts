import { KeycardError } from '../core/errors.js';

const MAX_EMAIL_LENGTH = 254;
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces. Deliverability is the
// mail server's call, not a regular expression's.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email, or throws `invalid_request` naming the field. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(normalized)) {
    throw new KeycardError('invalid_request', {
      message: 'email is not a valid address.',
      details: { field: 'email' },
    });
  }
  return normalized;
}
