/**
 * Periodic jobs that run in one process at a time: each tick takes (or renews) the job's lease first, and renews it
 * every third of its time while the run goes on, so a run longer than LEASE_SECONDS (an outbox backlog behind a slow
 * mail server) keeps it. A run whose lease is lost anyway (the database was away) is told through its signal.
 */
import type { Leases } from './db/leases.js';
import type { Logger } from './log.js';

export interface Job {
  name: string;
  everyMs: number;
  /** `signal` aborts when the lease is lost or the jobs stop: a long run should end at its next step. */
  run(signal: AbortSignal): Promise<void>;
}

/** Starts the jobs; returns stop(), which waits for running ticks and releases the leases. */
export function startJobs(jobs: Job[], deps: { leases: Leases; leaseMs: number; log: Logger }) {
  let stopped = false;
  const running = new Set<Promise<void>>();
  const runs = new Set<AbortController>();
  const timers = jobs.map((job) => {
    let busy = false;
    const lease = `job:${job.name}`;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      const run = new AbortController();
      let renewal: NodeJS.Timeout | undefined;
      let renewing: Promise<void> = Promise.resolve();
      try {
        if (!(await deps.leases.acquire(lease, deps.leaseMs))) return;
        runs.add(run);
        renewal = setInterval(() => {
          renewing = deps.leases.acquire(lease, deps.leaseMs).then(
            (held) => {
              if (held) return;
              deps.log.warn({ job: job.name }, 'job lease lost during a run; stopping it');
              run.abort();
            },
            (err: unknown) => deps.log.warn({ err, job: job.name }, 'job lease not renewed'),
          );
        }, deps.leaseMs / 3);
        await job.run(run.signal);
      } catch (err) {
        deps.log.error({ err, job: job.name }, 'job failed');
      } finally {
        clearInterval(renewal);
        // A renewal still on its way must land before stop() releases the lease, or it would take it again.
        await renewing;
        runs.delete(run);
        busy = false;
      }
    };
    const wrapped = () => {
      const p = tick();
      running.add(p);
      void p.finally(() => running.delete(p));
    };
    setTimeout(wrapped, 50);
    return setInterval(wrapped, job.everyMs);
  });
  return async function stop() {
    stopped = true;
    timers.forEach(clearInterval);
    for (const r of runs) r.abort();
    await Promise.allSettled([...running]);
    await Promise.allSettled(jobs.map((j) => deps.leases.release(`job:${j.name}`)));
  };
}
