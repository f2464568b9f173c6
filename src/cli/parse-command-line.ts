import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What each option parsed to (none of Keycard's options is `multiple`): absent options are undefined. */
export type OptionValues<O extends OptionsConfig> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * Parses a command's arguments strictly: an unknown option, a missing value or a value given to a flag is a
 * `UsageError` (exit 2), as is a wrong number of positional arguments.
 */
export function parseCommandLine<const O extends OptionsConfig>(
  args: readonly string[],
  options: O,
  positionals: { readonly names: readonly string[] } = { names: [] },
): { values: OptionValues<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { names } = positionals;
  if (parsed.positionals.length < names.length) {
    throw new UsageError(`missing argument: <${names[parsed.positionals.length] ?? ''}>`);
  }
  if (parsed.positionals.length > names.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[names.length] ?? ''}`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** A whole number from `min` to `max` given to `--name`, or `fallback` when it is absent. */
export function parseWholeNumber(
  text: string | undefined,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}
