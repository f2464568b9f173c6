import { printJson } from './print-output.js';

/** What a command that changed something prints: `value` as JSON with `--json`, else one line of `text`. */
export function printResult(json: boolean | undefined, value: unknown, text: string): void {
  if (json === true) printJson(value);
  else process.stdout.write(`${text}\n`);
}
