import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/**
 * CPU time (user and system, every thread) a process has used so far, in seconds, from /proc/<pid>/stat (Linux).
 * On a machine shared with other work, a server's CPU time per request is steadier than its requests per second:
 * time the server spends waiting for a core does not count.
 */
export function processCpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: count the fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), so 12 and 13 after the name (state is field 3).
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
