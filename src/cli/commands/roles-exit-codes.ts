/** The exit codes every `keycard roles …` command shares, for its `--help`. */
export const ROLES_EXIT_CODES =
  'Exit codes: 0 done; 1 refused (unknown name, duplicate, last admin…); 2 usage.\n';
