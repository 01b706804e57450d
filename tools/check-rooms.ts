/**
 * `npm run check:rooms`: the house's direction, checked. Every import (type imports too: they couple rooms just
 * the same) must point at the importer's own room or a room on a lower layer; no file-level import cycle may
 * exist anywhere. madge and dependency-cruiser need the TypeScript compiler API, which TypeScript 7 no longer
 * exposes, so this reads import specifiers itself: every relative import in this codebase is a static string.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Rooms from the bottom up. A room may import only rooms on a lower layer (or itself); rooms on one layer are
 * peers and may not import each other unless the layer says `peers: true` (channels may read one another's
 * read functions, e.g. the console's admin page lists failed inbound mail), and never in a cycle.
 */
const ENTRY = '(entry points)';
/** Command-line tools (cli-*.ts, *-cli.ts) are entry points like main.ts, whatever folder they sit in. */
const isEntry = (file: string) => /(^|\/)cli-[^/]+\.ts$|-cli\.ts$/.test(file);

export const LAYERS: { rooms: string[]; peers?: boolean }[] = [
  {
    rooms: [
      'server/domain',
      'server/text',
      'server/errors.ts',
      'server/log.ts',
      'server/mail/headers.ts',
      'server/mail/tls.ts',
      'server/mail/reply-marker.ts',
      // Transactions that are retried whole (issue 12): every room runs its transactions through it.
      'server/db/tx.ts',
    ],
  },
  {
    rooms: ['server/secrets.ts', 'server/db', 'server/http', 'server/mail/oauth'],
  },
  { rooms: ['server/agents', 'server/kb', 'server/mail/outbound', 'server/jobs.ts'] },
  { rooms: ['server/triage'] },
  // Major incidents: called by the ticket service inside its transactions; never calls up into tickets.
  { rooms: ['server/incidents'] },
  { rooms: ['server/tickets'] },
  {
    rooms: [
      'server/mail/inbound',
      'server/widget',
      'server/console',
      'server/requester',
      'server/api',
      'server/analytics',
      'server/ops',
    ],
    peers: true,
  },
  // Entry points and what only they read: the configuration is parsed once at the top and handed down.
  {
    rooms: ['server/seeds.ts', 'server/main.ts', 'server/config.ts', 'server/config-integrations.ts', ENTRY],
    peers: true,
  },
];
/** Browser code (bundled separately) may use only the shared vocabulary. */
const BROWSER: Record<string, string[]> = { widget: ['server/domain'], 'server/analytics/page': ['server/domain'] };

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Relative imports of a file, resolved to repository paths (.js → .ts). */
export function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec?.startsWith('.')) continue;
    out.push(path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const roomOf = (file: string): string | null => {
  if (isEntry(file)) return ENTRY;
  const all = LAYERS.flatMap((l) => l.rooms).sort((a, b) => b.length - a.length);
  return all.find((r) => file === r || file.startsWith(`${r}/`)) ?? null;
};
const layerOf = (room: string) => LAYERS.findIndex((l) => l.rooms.includes(room));

/** Every problem found: direction violations, unknown rooms, and import cycles. */
export function check(): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const dir of ['server', 'widget']) {
    for (const f of files(dir)) {
      const source = readFileSync(path.join(root, f), 'utf8');
      graph.set(f, importsOf(f, source));
      // Issue 12: a transaction that met a deadlock is retried whole, so every one goes through db/tx.ts.
      if (f !== 'server/db/tx.ts' && /\.transaction\(/.test(source))
        problems.push(`${f}: runs sequelize.transaction() itself; use transaction() from server/db/tx.ts`);
    }
  }
  for (const [from, tos] of graph) {
    const browser = Object.keys(BROWSER).find((b) => from === b || from.startsWith(`${b}/`));
    for (const to of tos) {
      if (browser) {
        const ok = to.startsWith(`${browser}/`) || BROWSER[browser]!.some((r) => to.startsWith(`${r}/`));
        if (!ok) problems.push(`${from} → ${to}: browser code may import only ${BROWSER[browser]!.join(', ')}`);
        continue;
      }
      const a = roomOf(from);
      const b = roomOf(to);
      if (!a || !b) {
        if (!to.startsWith('build/') || from !== 'server/main.ts')
          problems.push(`${from} → ${to}: not in any room of LAYERS`);
        continue;
      }
      if (a === b) continue;
      const la = layerOf(a);
      const lb = layerOf(b);
      if (lb > la) problems.push(`${from} → ${to}: ${a} (layer ${la}) must not call up into ${b} (layer ${lb})`);
      else if (lb === la && !LAYERS[la]!.peers)
        problems.push(`${from} → ${to}: ${a} and ${b} are peers on layer ${la}`);
    }
  }
  // File-level cycles (Tarjan's strongly connected components).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) problems.push(`import cycle: ${scc.reverse().join(' → ')}`);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = check();
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(
    problems.length ? `${problems.length} problem(s)\n` : 'rooms: no cycle, every import points down\n',
  );
  process.exit(problems.length ? 1 : 0);
}
