/**
 * One runner for every periodic job of the server (storage, call-link and blob sweeps): once now,
 * then every interval, one run at a time (a slow run is not overtaken by the next), failures
 * logged rather than thrown. With a `gate`, a tick runs only while the gate is open: the sweeps
 * pass their leader lease (leader-lease.ts), so when several nodes share a database one node
 * sweeps and the others skip.
 */
import type { Logger } from 'pino';

/** A job the runner repeats. */
export interface PeriodicJob {
  /** Named in the log when a run fails ("<name> failed"). */
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  log: Logger;
  /** Asked before each tick; false skips it. Absent: every tick runs. */
  gate?: () => boolean;
}

/** Starts the job; returns its stop, which awaits a run in flight. */
export function startPeriodic(job: PeriodicJob): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || (job.gate && !job.gate())) return;
    running = job
      .run()
      .then(
        () => undefined,
        (error: unknown) => job.log.warn({ err: { message: (error as Error).message } }, `${job.name} failed`),
      )
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, job.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
