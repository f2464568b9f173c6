/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** `min–max` of `values`, each with `digits` decimals. */
export function spread(values: readonly number[], digits = 0): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/** The value at `fraction` (0.99 for p99) of values sorted ascending, nearest rank. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
}

/** `**0.93** (≥ 0.8: met)`: a ratio against its target, for a table cell. */
export function ratioCell(ratio: number, atLeast: number): string {
  return `**${ratio.toFixed(2)}** (≥ ${atLeast}: ${ratio >= atLeast ? 'met' : 'NOT met'})`;
}
