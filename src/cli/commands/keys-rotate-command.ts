import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printJson } from '../print-output.js';

export const keysRotateCommand: Command = {
  name: 'keys rotate',
  summary: 'Make a new JWT signing key; the old ones keep verifying',
  help: `Usage: keycard keys rotate [--json]

Adds a new signing key (of KEYCARD_JWT_ALG) and retires the others. Running nodes sign with the new key
within a minute (at once on a node that meets a token signed with it); retired keys keep verifying until every
token they signed has expired (KEYCARD_JWT_TTL + KEYCARD_CLOCK_SKEW + that minute), and stay in the JWKS as long.
Refused when the key comes from KEYCARD_JWT_KEY_FILE (replace the file instead).

Options:
  --json   Print {"kid": …, "alg": …}
`,
  async run(args) {
    const { values } = parseCommandLine(args, jsonOption);
    const key = await withAdminKeycard((keycard) => keycard.jwt.rotateSigningKey(), {
      needsServerSecret: true,
    });
    if (values.json === true) printJson({ kid: key.kid, alg: key.alg });
    else process.stdout.write(`New signing key ${key.kid} (${key.alg}); the previous keys keep verifying.\n`);
    return 0;
  },
};
