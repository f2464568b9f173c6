import type { KeycardClientError, KeycardErrorCode } from './keycard-client-error.js';

/** A sentence a person can act on, for every code (the account page shows these). */
const SENTENCES: Readonly<Record<KeycardErrorCode, string>> = {
  invalid_request: 'Something in the form is not right. Please check it and try again.',
  unsupported_api_version: 'This page is out of date. Please reload it.',
  password_too_weak:
    'Please choose a stronger password: at least 8 characters, and not one of the most common passwords.',
  cannot_revoke_current: 'To end this device’s session, use “Sign out”.',
  audience_unknown: 'This app asked for access to a service that is not set up. Please contact support.',
  service_key_invalid: 'This service is not allowed to ask that.',
  invalid_credentials: 'The email or password is incorrect.',
  token_missing: 'Please sign in.',
  token_invalid: 'You have been signed out. Please sign in again.',
  session_required: 'Please sign in again to continue.',
  access_token_expired: 'Your sign-in needs renewing. Please try again.',
  claims_stale: 'Your account changed. Please try again.',
  session_expired: 'Your session expired. Please sign in again.',
  session_revoked: 'You have been signed out. Please sign in again.',
  refresh_token_invalid: 'You have been signed out. Please sign in again.',
  refresh_token_reused:
    'For your safety you were signed out: your session was used from two places at once. Please sign in again.',
  csrf_rejected:
    'This request was blocked because it did not come from this page. Please reload and try again.',
  permission_denied: 'Your account is not allowed to do that.',
  elevation_required: 'Please confirm your password to continue.',
  account_required: 'Please sign up or sign in to do that.',
  session_not_found: 'That device is already signed out.',
  user_not_found: 'That account was not found.',
  role_not_found: 'That role was not found.',
  permission_not_found: 'That permission was not found.',
  name_taken: 'That name is already taken.',
  last_admin: 'This would leave no administrator. Make someone else an administrator first.',
  builtin_protected: 'The built-in administrator role cannot be changed this way.',
  not_found: 'That was not found.',
  email_taken: 'An account with this email already exists. Try signing in instead.',
  payload_too_large: 'That is too long. Please shorten it.',
  unsupported_media_type: 'This page sent something the server does not accept. Please reload it.',
  api_version_denied: 'This app is out of date. Please update it and sign in again.',
  rate_limited: 'Too many attempts. Please wait a little and try again.',
  internal_error: 'Something went wrong on our side. Please try again.',
  store_unavailable: 'The service is briefly unavailable. Please try again in a moment.',
  network_error: 'Could not reach the server. Check your connection and try again.',
};

/** What `session_revoked` means to the person, by the reason the session ended. */
const REVOKED_SENTENCES: Readonly<Record<string, string>> = {
  revoked: 'You were signed out from another device.',
  revoked_others: 'You were signed out from another device.',
  sign_out: 'You signed out.',
  refresh_reuse: SENTENCES.refresh_token_reused,
  revoked_by_admin: 'An administrator signed you out. Please sign in again.',
  user_disabled: 'Your account has been disabled.',
  password_changed: 'Your password was changed, so you were signed out. Please sign in with the new one.',
  account_deleted: 'This account has been deleted.',
  upgraded: 'You signed in, so your guest session ended.',
  expired: SENTENCES.session_expired,
};

/** The sentence for an error of the client (any other error: the internal error's). */
export function describeError(error: unknown): string {
  const { code, reason } = error as Partial<KeycardClientError>;
  if (code === 'session_revoked' && reason !== undefined) {
    return REVOKED_SENTENCES[reason] ?? SENTENCES.session_revoked;
  }
  return code !== undefined && code in SENTENCES ? SENTENCES[code] : SENTENCES.internal_error;
}
