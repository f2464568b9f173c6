/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time, as markdown: the busy time (all but idle), then the
 * top functions by self time, and Keycard's own functions (the build, `dist/`) by total time (self and callees),
 * each as a share of the busy time. Run: npx tsx bench/core/cpu-profile-summary.ts <file.cpuprofile> [rows]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const at = url.search(/\/(dist|node_modules|bench|src)\//);
  return at === -1 ? url.replace(/^file:\/\//, '') : url.slice(at + 1);
}

function nameOf({ callFrame: frame }: ProfileNode): string {
  const where = shortUrl(frame.url);
  return `${frame.functionName || '(anonymous)'}${where === '' ? '' : ` (${where}:${frame.lineNumber + 1})`}`;
}

function table(title: string, times: Map<string, number>, busy: number, rows: number): string[] {
  const sorted = [...times].sort((a, b) => b[1] - a[1]).slice(0, rows);
  return [
    `| ${title} | ms | share of busy |`,
    '|---|---|---|',
    ...sorted.map(
      ([key, us]) => `| ${key} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)}% |`,
    ),
  ];
}

export function summariseCpuProfile(profile: CpuProfile, rows: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    busy += delta;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + delta);
    // Total time: each Keycard function on the sample's stack once, however deep the recursion.
    const seen = new Set<string>();
    for (let at: ProfileNode | undefined = node; at !== undefined; at = byId.get(parentOf.get(at.id) ?? -1)) {
      if (!/\/dist\//.test(at.callFrame.url) || at.callFrame.url.includes('/node_modules/')) continue;
      const name = nameOf(at);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + delta);
    }
  });
  return [
    `busy (not idle): ${(busy / 1000).toFixed(0)} ms`,
    '',
    ...table('function, self time', self, busy, rows),
    '',
    ...table('Keycard function (dist/), total time', total, busy, rows),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const [file, rows = '20', ...rest] = process.argv.slice(2);
  // A shell glob that matched several profiles would pass a second file as the row count.
  if (file === undefined || rest.length > 0 || !/^\d+$/.test(rows)) {
    console.error('usage: npx tsx bench/core/cpu-profile-summary.ts <file.cpuprofile> [rows]');
    process.exit(2);
  }
  console.log(summariseCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(rows)));
}
