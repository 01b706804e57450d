/** The offline MailSource: reads .eml files (or a folder of them) into intake, once, in name order. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Intake, IntakeResult } from './intake.js';
import type { MailSource } from './source.js';

/** Expands folders to the .eml/.msg files inside them, sorted by name. */
export function emlFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.(eml|msg)$/i.test(f))
          .sort()
          .map((f) => path.join(p, f))
      : [p],
  );
}

export function createFileSource(
  paths: string[],
  deps: { intake: Intake; onResult?: (file: string, r: IntakeResult | { error: string }) => void },
): MailSource & { done: Promise<void> } {
  let state = 'idle';
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  return {
    name: 'file',
    done,
    start() {
      state = 'reading';
      void (async () => {
        for (const f of emlFiles(paths)) {
          if (stopped) break;
          try {
            deps.onResult?.(f, await deps.intake.receive(readFileSync(f), 'file'));
          } catch (err) {
            deps.onResult?.(f, { error: (err as Error).message });
          }
        }
        state = 'done';
        resolveDone();
      })();
    },
    async stop() {
      stopped = true;
      await done;
    },
    status: () => ({ state }),
  };
}
