/** Periodic jobs that run in one process at a time: each tick takes (or renews) the job's lease first. */
import type { Leases } from './db/leases.js';
import type { Logger } from './log.js';

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

/** Starts the jobs; returns stop(), which waits for running ticks and releases the leases. */
export function startJobs(jobs: Job[], deps: { leases: Leases; leaseMs: number; log: Logger }) {
  let stopped = false;
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        if (await deps.leases.acquire(`job:${job.name}`, deps.leaseMs)) await job.run();
      } catch (err) {
        deps.log.error({ err, job: job.name }, 'job failed');
      } finally {
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
    await Promise.allSettled([...running]);
    await Promise.allSettled(jobs.map((j) => deps.leases.release(`job:${j.name}`)));
  };
}
