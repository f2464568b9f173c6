import {
  ConfigError,
  type ConfigVariable,
  configVariables,
  type KeycardConfig,
  loadConfig,
} from '../../core/config.js';
import { type Command, jsonOption } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printJson, printTable } from '../print-output.js';
import { redactConfigValue } from '../redact-config-value.js';

interface EffectiveSetting {
  readonly name: ConfigVariable;
  readonly value: string;
  readonly source: 'env' | 'default';
}

export const configCheckCommand: Command = {
  name: 'config check',
  summary: 'Validate the configuration and print every setting (secrets redacted)',
  help: `Usage: keycard config check [--json]

Reads the KEYCARD_* variables as \`keycard serve\` would and prints each one's effective value and where it
came from (env or default). KEYCARD_SECRET, KEYCARD_METRICS_TOKEN and passwords in KEYCARD_DATABASE_URL and
KEYCARD_REDIS_URL are printed as REDACTED. Exits 0 when the configuration is valid, 78 (naming each bad
variable on stderr) when not. Connects to nothing.

Options:
  --json    Print {"valid": …, "settings": [{name, value, source}], "problems": […]}
`,
  run(args) {
    const { values } = parseCommandLine(args, jsonOption);
    let config: KeycardConfig | undefined;
    let problems: readonly string[] = [];
    try {
      config = loadConfig(process.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    const settings = effectiveSettings(process.env, config);
    if (values.json === true) {
      printJson({ valid: problems.length === 0, settings, problems });
    } else {
      printTable(
        ['variable', 'value', 'source'],
        settings.map((setting) => [setting.name, setting.value, setting.source]),
      );
    }
    if (problems.length > 0) {
      process.stderr.write(
        `Invalid configuration:\n${problems.map((problem) => `  - ${problem}\n`).join('')}`,
      );
      return Promise.resolve(78);
    }
    return Promise.resolve(0);
  },
};

/**
 * Every variable with the value Keycard uses. Defaults that depend on other settings are worked out from the
 * loaded configuration (when it is valid) rather than shown as the README's prose.
 */
function effectiveSettings(
  env: Readonly<Record<string, string | undefined>>,
  config: KeycardConfig | undefined,
): EffectiveSetting[] {
  return (Object.keys(configVariables) as ConfigVariable[]).map((name) => {
    const set = env[name]?.trim();
    if (set !== undefined && set !== '') {
      return { name, value: redactConfigValue(name, set), source: 'env' };
    }
    // Defaults hold no secret (an unset KEYCARD_SECRET is generated and kept on disk: only where is shown).
    return { name, value: computedDefault(name, config), source: 'default' };
  });
}

function computedDefault(name: ConfigVariable, config: KeycardConfig | undefined): string {
  if (config !== undefined) {
    if (name === 'KEYCARD_DATA_DIR') return config.dataDir;
    if (name === 'KEYCARD_CHANGE_POLL') return String(config.changePollSeconds);
    if (name === 'KEYCARD_SECRET') return `generated, kept in ${config.dataDir}/keycard.secret`;
  }
  return configVariables[name].default;
}
