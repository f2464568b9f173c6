import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { isoOrDash, printJson, printTable } from '../print-output.js';

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'List the JWT signing keys',
  help: `Usage: keycard keys list [--json]

Lists the signing keys in the store, newest first: the one that signs, those retired that still verify
tokens they signed, and those that verify nothing any more. Never prints key material.

Options:
  --json   Print {"keys": […]}
`,
  async run(args) {
    const { values } = parseCommandLine(args, jsonOption);
    const keys = await withAdminKeycard((keycard) => keycard.jwt.listSigningKeys(), {
      needsServerSecret: true,
    });
    if (values.json === true) {
      printJson({
        keys: keys.map((key) => ({
          kid: key.kid,
          alg: key.alg,
          state: key.state,
          created_at: new Date(key.createdAt).toISOString(),
          retired_at: key.retiredAt === null ? null : new Date(key.retiredAt).toISOString(),
        })),
      });
    } else {
      printTable(
        ['kid', 'alg', 'state', 'created', 'retired'],
        keys.map((key) => [key.kid, key.alg, key.state, isoOrDash(key.createdAt), isoOrDash(key.retiredAt)]),
        'No signing keys (Keycard creates one on its first start).',
      );
    }
    return 0;
  },
};
