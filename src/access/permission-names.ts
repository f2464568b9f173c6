import { KeycardError } from '../core/errors.js';

/** `resource:action`, lower case, segments of letters, digits, `_`, `-` and `.`; e.g. `notes:write`, `keycard:admin`. */
const PERMISSION_NAME = /^[a-z][a-z0-9_.-]{0,62}(:[a-z0-9_.*-]{1,63}){1,3}$/;
/** A role: a lower-case word of letters, digits, `_` and `-`, up to 64 characters; e.g. `editor`. */
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export const ADMIN_ROLE = 'admin';
export const ADMIN_PERMISSION = 'keycard:admin';

/** Throws `invalid_request` naming `field` unless `name` is a valid permission name. */
export function checkPermissionName(name: string, field = 'name'): string {
  if (!PERMISSION_NAME.test(name)) {
    throw new KeycardError('invalid_request', {
      message: `${field}: a permission is named resource:action in lower case, e.g. notes:write`,
      details: { field },
    });
  }
  return name;
}

/** Throws `invalid_request` naming `field` unless `name` is a valid role name. */
export function checkRoleName(name: string, field = 'name'): string {
  if (!ROLE_NAME.test(name)) {
    throw new KeycardError('invalid_request', {
      message: `${field}: a role is named with lower-case letters, digits, _ and -, e.g. editor`,
      details: { field },
    });
  }
  return name;
}
