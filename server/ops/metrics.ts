/**
 * GET /metrics in the Prometheus text format 0.0.4, behind the admin bearer token (ticket counts and lease
 * holders are operational detail, not public). Written by hand: the format is a few lines of text per series,
 * smaller than a dependency. Every figure comes from a cheap GROUP BY over an indexed column or from memory.
 */
import { Hono } from 'hono';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Models } from '../db/models.js';
import type { Leases } from '../db/leases.js';
import type { ImapSource } from '../mail/inbound/imap.js';
import { requireAdmin } from '../http/auth.js';

type Labels = Record<string, string | number | null | undefined>;
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels?: Labels; value: number }[];
}

// Label values escape backslash, double quote and newline; HELP text escapes backslash and newline (format 0.0.4).
const escLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const num = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** Renders metric families as Prometheus text (one HELP and TYPE line per family, one line per sample). */
export function renderMetrics(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${escLabel(String(v ?? 'none'))}"`);
      out.push(`${f.name}${labels.length ? `{${labels.join(',')}}` : ''} ${num(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

const IMAP_STATES = ['off', 'starting', 'standby', 'connected', 'reconnecting', 'stopped'] as const;
const LEASES = ['imap', 'job:outbox', 'job:escalation', 'job:recover-new', 'job:recover-inbound', 'job:learn'];

export interface MetricsDeps {
  sequelize: Sequelize;
  models: Models;
  imap: ImapSource | null;
  leases: Leases;
  adminToken?: string;
  clock: () => Date;
}

/** Collects every family; the database ones are left out (and helpdesk_database_up is 0) when it is down. */
export async function collectMetrics(d: MetricsDeps): Promise<Family[]> {
  const now = d.clock();
  const mem = process.memoryUsage();
  const imap = d.imap?.status() ?? { state: 'off' as const, lastPassAt: null };
  const fams: Family[] = [
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      samples: [{ value: mem.rss }],
    },
    {
      name: 'nodejs_heap_used_bytes',
      help: 'V8 heap in use, bytes.',
      type: 'gauge',
      samples: [{ value: mem.heapUsed }],
    },
    {
      name: 'nodejs_heap_total_bytes',
      help: 'V8 heap allocated, bytes.',
      type: 'gauge',
      samples: [{ value: mem.heapTotal }],
    },
    {
      name: 'nodejs_external_memory_bytes',
      help: 'Memory held outside the V8 heap (buffers), bytes.',
      type: 'gauge',
      samples: [{ value: mem.external }],
    },
    {
      name: 'process_uptime_seconds',
      help: 'Seconds since this process started.',
      type: 'gauge',
      samples: [{ value: Math.round(process.uptime()) }],
    },
    {
      name: 'helpdesk_imap_state',
      help: 'IMAP reader state of this process (1 for the current state).',
      type: 'gauge',
      samples: IMAP_STATES.map((s) => ({ labels: { state: s }, value: imap.state === s ? 1 : 0 })),
    },
    {
      name: 'helpdesk_imap_last_pass_age_seconds',
      help: 'Seconds since this process last drained the inbox (-1: never).',
      type: 'gauge',
      samples: [{ value: imap.lastPassAt ? Math.max(0, (now.getTime() - imap.lastPassAt.getTime()) / 1000) : -1 }],
    },
  ];
  const q = <T extends object>(sql: string) => d.sequelize.query<T>(sql, { type: QueryTypes.SELECT });
  try {
    const [tickets, inbound, outbox, oldest, leases] = await Promise.all([
      q<{ channel: string; route: string | null; classifier: string | null; n: number }>(
        'SELECT channel, route, classifier, COUNT(*) AS n FROM tickets GROUP BY channel, route, classifier',
      ),
      q<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM inbound_emails GROUP BY status'),
      q<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status'),
      // The (status, created_at) index answers this without a scan.
      d.models.InboundEmail.findOne({
        where: { status: 'received' },
        order: [['createdAt', 'ASC']],
        attributes: ['createdAt'],
      }),
      d.models.Lease.findAll({ attributes: ['name', 'holder', 'expiresAt'] }),
    ]);
    const by = (rows: { status: string; n: number }[], status: string) =>
      Number(rows.find((r) => r.status === status)?.n ?? 0);
    const held = new Set(
      leases.filter((l) => l.holder === d.leases.holder && l.expiresAt.getTime() > now.getTime()).map((l) => l.name),
    );
    fams.push(
      {
        name: 'helpdesk_database_up',
        help: 'Whether the database answered this scrape.',
        type: 'gauge',
        samples: [{ value: 1 }],
      },
      {
        name: 'helpdesk_tickets',
        help: 'Tickets by channel, route and classifier.',
        type: 'gauge',
        samples: tickets.map((r) => ({
          labels: { channel: r.channel, route: r.route, classifier: r.classifier },
          value: Number(r.n),
        })),
      },
      {
        name: 'helpdesk_inbound_emails',
        help: 'Stored inbound emails by status.',
        type: 'gauge',
        samples: inbound.map((r) => ({ labels: { status: r.status }, value: Number(r.n) })),
      },
      {
        name: 'helpdesk_intake_lag_seconds',
        help: "Age of the oldest inbound email still 'received' (0 when none).",
        type: 'gauge',
        samples: [{ value: oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0 }],
      },
      {
        name: 'helpdesk_outbox_mails',
        help: 'Outbox mails by status (queued is the depth).',
        type: 'gauge',
        samples: outbox.map((r) => ({ labels: { status: r.status }, value: Number(r.n) })),
      },
      {
        name: 'helpdesk_outbox_depth',
        help: 'Mails queued for sending.',
        type: 'gauge',
        samples: [{ value: by(outbox, 'queued') }],
      },
      {
        name: 'helpdesk_failures',
        help: 'Work that needs a person: inbound emails that failed, outbox mails given up.',
        type: 'gauge',
        samples: [
          { labels: { kind: 'inbound_failed' }, value: by(inbound, 'failed') },
          { labels: { kind: 'outbox_dead' }, value: by(outbox, 'dead') },
        ],
      },
      {
        name: 'helpdesk_lease_held',
        help: 'Whether this process holds the lease (1) or stands by (0).',
        type: 'gauge',
        samples: [...new Set([...LEASES, ...leases.map((l) => l.name)])].map((name) => ({
          labels: { name },
          value: held.has(name) ? 1 : 0,
        })),
      },
    );
  } catch {
    fams.push({
      name: 'helpdesk_database_up',
      help: 'Whether the database answered this scrape.',
      type: 'gauge',
      samples: [{ value: 0 }],
    });
  }
  return fams;
}

/** Routes at the root: GET /metrics. */
export function metricsRoutes(d: MetricsDeps) {
  const app = new Hono();
  app.get('/metrics', requireAdmin(d.adminToken), async (c) =>
    c.body(renderMetrics(await collectMetrics(d)), 200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Cache-Control': 'no-store',
    }),
  );
  return app;
}
