/** One `keycard` command: its name as typed (`users create`), a one-line summary and its `--help` text. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: readonly string[]): Promise<number>;
}

/** The options every command that prints records takes. */
export const jsonOption = { json: { type: 'boolean' } } as const;
