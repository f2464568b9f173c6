/** Prints `value` as indented JSON (`--json`): one document per command, for scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Prints rows as a plain text table, columns padded to their widest cell, headers in capitals. `empty` is
 * printed instead when there are no rows.
 */
export function printTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  empty = '(none)',
): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const header = columns.map((column) => column.toUpperCase());
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[header, ...rows].map(line).join('\n')}\n`);
}

/** An epoch-milliseconds time as ISO 8601, or `-` for none (tables). */
export function isoOrDash(time: number | null): string {
  return time === null ? '-' : new Date(time).toISOString();
}

/** `1 session`, `3 sessions`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
