const units = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * Parses a duration such as `90m`, `12h`, `7d`, `30s` or a plain number of seconds.
 * Returns whole seconds, or `undefined` when the text is not a positive duration.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] || 's') as keyof typeof units;
  const seconds = amount * units[unit];
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}
