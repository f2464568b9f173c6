import type { SessionContext } from './session-context.js';
import { pollSessionChanges } from './poll-session-changes.js';
import { sweepExpiredSessions, type SweepResult } from './sweep-expired-sessions.js';

export interface BackgroundSchedule {
  /** How often expired sessions are swept (ms). */
  readonly sweepIntervalMs: number;
  /** How often the store is polled for other nodes' changes (ms); 0 disables polling. */
  readonly pollIntervalMs: number;
  /** How far back each poll reaches beyond the previous one, for clock skew and late commits (ms). */
  readonly pollOverlapMs?: number;
  readonly onSweep?: (result: SweepResult) => void;
  readonly onError?: (task: 'sweep' | 'poll', error: unknown) => void;
}

/**
 * Periodic sweep and change poll; timers are unref'd so they never keep a process alive. Returns a stopper.
 * `sweep` is what a sweep does: expired sessions by default; Keycard adds the audit log's retention to it.
 */
export function startBackgroundTasks(
  context: SessionContext,
  schedule: BackgroundSchedule,
  sweep: () => Promise<SweepResult> = () => sweepExpiredSessions(context),
): () => Promise<void> {
  const overlap = schedule.pollOverlapMs ?? 5000;
  let pollFrom = context.clock.now() - overlap;
  let running: Promise<unknown> = Promise.resolve();
  const timers: NodeJS.Timeout[] = [];

  // One task at a time: a slow sweep and a poll never pile up on each other.
  const schedulePeriodic = (intervalMs: number, task: () => Promise<void>) => {
    const timer = setInterval(() => {
      running = running.then(task);
    }, intervalMs);
    timer.unref();
    timers.push(timer);
  };

  schedulePeriodic(schedule.sweepIntervalMs, async () => {
    try {
      schedule.onSweep?.(await sweep());
    } catch (error) {
      schedule.onError?.('sweep', error);
    }
  });
  if (schedule.pollIntervalMs > 0) {
    schedulePeriodic(schedule.pollIntervalMs, async () => {
      try {
        pollFrom = (await pollSessionChanges(context, pollFrom)) - overlap;
      } catch (error) {
        schedule.onError?.('poll', error);
      }
    });
  }

  return async () => {
    for (const timer of timers) clearInterval(timer);
    await running;
  };
}
