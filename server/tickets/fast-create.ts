/**
 * The fast create path (issue 12): a widget or API ticket stored, triaged, routed, answered and its mail queued in
 * ONE transaction of our own SQL (db/fast-sql.ts), when triage never leaves the process (the local classifier: about
 * 0.1 ms). Everything read comes before the transaction (requester, roster, knowledge base); nothing written is
 * read back. The client gets no 201 before the commit, so "store first" still holds: a crash loses only what
 * nobody was told about. On SQLite the transaction is shared with the tickets arriving at the same moment (group
 * commit), each in its own savepoint.
 *
 * What it does not take (create.ts's two-transaction path does): email tickets (threading, attachments, notices,
 * the intake's duplicate handling), replies past the reopen window, OpenAI triage (seconds: never inside a
 * transaction), and a ticket that detection says joins or opens a major incident (rare; incident-ops.ts).
 */
import type { FastSql, Sql } from '../db/fast-sql.js';
import { isUniqueViolation } from '../db/fast-sql.js';
import type { Ticket } from '../db/models.js';
import { refFor } from '../domain/vocabulary.js';
import type { FastDetection } from '../incidents/detect-sql.js';
import type { Incidents } from '../incidents/incidents.js';
import type { MailSink } from '../mail/outbound/notify.js';
import type { QueuedMail } from '../mail/outbound/outbox.js';
import { subjectFrom, triageChange, type CreateDeps, type NewTicket } from './new-ticket.js';
import { nextStatus } from './lifecycle.js';
import type { RosterMember } from './roster.js';
import { AUDIT_NAME } from './store.js';

/** What the fast path needs beyond the create path's own dependencies. */
export interface FastWrite {
  sql: FastSql;
  /** Queues mails in q's transaction (the outbox's enqueueSql). */
  enqueue: (q: Sql, mails: QueuedMail[]) => Promise<void>;
}

/** A created ticket, with the AI answer's text when it was answered (so the widget's 201 needs no read). */
/** What create() hands back: the answer it wrote (no read of it), and whether the ticket is an earlier one. */
export type CreatedTicket = Ticket & {
  answerText?: string | null;
  /** The submission's Idempotency-Key was already on a ticket: this is that ticket, from the first attempt. */
  replayed?: boolean;
};

/** Thrown inside the transaction when the ticket belongs to the full path: its savepoint is rolled back. */
const FULL_PATH = Symbol('full path');

const TICKET_COLUMNS = [
  'subject',
  'description',
  'channel',
  'status',
  'severity',
  'urgency',
  'category',
  'sentiment',
  'intent',
  'complex',
  'summary',
  'route',
  'assignee_id',
  'requester_id',
  'requester_name',
  'dev_center',
  'classifier',
  'confidence',
  'triage',
  'parent_ticket_id',
  'idempotency_key',
  'first_response_at',
  'created_at',
  'updated_at',
];
const cols = (names: string[]) => names.map((c) => `\`${c}\``).join(', ');
const marks = (n: number) => `(${Array.from({ length: n }, () => '?').join(', ')})`;
const INSERT_TICKET = `INSERT INTO \`tickets\` (${cols(TICKET_COLUMNS)}) VALUES ${marks(TICKET_COLUMNS.length)}`;
/**
 * SQLite: the id and its ref (refFor) in the INSERT itself. The write lock is held (BEGIN IMMEDIATE), so the next
 * id is what AUTOINCREMENT would give: one past the larger of the sequence and the largest id. MySQL has no such
 * lock: there the ref is set from the insert id (one UPDATE).
 */
const NEXT_ID =
  "SELECT MAX(COALESCE((SELECT `seq` FROM `sqlite_sequence` WHERE `name` = 'tickets'), 0), " +
  'COALESCE((SELECT MAX(`id`) FROM `tickets`), 0)) + 1 AS `id`';
const INSERT_TICKET_SQLITE =
  `INSERT INTO \`tickets\` (\`id\`, \`ref\`, ${cols(TICKET_COLUMNS)}) ` +
  `SELECT n.\`id\`, '${refFor(0).replace(/\d+$/, '')}' || (${refFor(0).match(/\d+$/)![0]} + n.\`id\`), ` +
  `${TICKET_COLUMNS.map(() => '?').join(', ')} FROM (${NEXT_ID}) n`;
const MESSAGE_COLUMNS = [
  'ticket_id',
  'author_kind',
  'author_agent_id',
  'author_email',
  'internal',
  'text',
  'email_message_id',
  'pending_confirmation',
  'created_at',
  'updated_at',
];
const AUDIT_COLUMNS = ['ticket_id', 'actor', 'action', 'data', 'created_at', 'updated_at'];
const insertMany = (table: string, columns: string[], rows: number) =>
  `INSERT INTO \`${table}\` (${cols(columns)}) VALUES ${Array.from({ length: rows }, () => marks(columns.length)).join(', ')}`;

interface Person {
  id: number;
  email: string;
  name: string;
  devCenter: string | null;
}

export function createFastCreation(
  deps: CreateDeps & { fast: FastWrite; detection: { fast: FastDetection; signal: Incidents['signal'] } },
) {
  const { sql: fast } = deps.fast;
  const { Ticket } = deps.store.models;
  const detection = deps.detection.fast;

  /** The requester as stored (committed), or null for a new address. */
  async function findRequester(email: string): Promise<Person | null> {
    const [r] = await fast.read<{ id: number; name: string; dev_center: string | null }>(
      'SELECT `id`, `name`, `dev_center` FROM `requesters` WHERE `email` = ?',
      [email],
    );
    return r ? { id: Number(r.id), email, name: r.name, devCenter: r.dev_center } : null;
  }

  /**
   * Inserts a new requester, never reading a missing row first (on InnoDB a locking read of a missing key takes a
   * gap lock, and two such transactions inserting deadlock). When another transaction got there first, its row.
   */
  async function insertRequester(q: Sql, p: Person, at: string): Promise<Person> {
    const ignore = q.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const r = await q.run(
      `${ignore} INTO \`requesters\` (\`email\`, \`name\`, \`dev_center\`, \`created_at\`, \`updated_at\`) VALUES (?, ?, ?, ?, ?)`,
      [p.email, p.name, p.devCenter, at, at],
    );
    if (r.changes) return { ...p, id: r.lastId };
    const share = q.dialect === 'mysql' ? ' LOCK IN SHARE MODE' : '';
    const [row] = await q.all<{ id: number; name: string; dev_center: string | null }>(
      `SELECT \`id\`, \`name\`, \`dev_center\` FROM \`requesters\` WHERE \`email\` = ?${share}`,
      [p.email],
    );
    return { id: Number(row!.id), email: p.email, name: row!.name, devCenter: row!.dev_center };
  }

  /** Creates the ticket on the fast path; null when it belongs to the full path (create.ts). */
  async function create(input: NewTicket): Promise<CreatedTicket | null> {
    if (input.mail || input.parentTicketId || !deps.triage.local) return null;
    const email = input.email.trim().toLowerCase();
    const stored = await findRequester(email);
    // Only the trusted channel (the admin API) changes an existing requester's name or centre (create.ts).
    const patch =
      stored && input.channel === 'api'
        ? {
            name: input.name && input.name !== stored.name ? input.name : null,
            devCenter: input.devCenter && input.devCenter !== stored.devCenter ? input.devCenter : null,
          }
        : null;
    const changed = !!(patch && (patch.name || patch.devCenter));
    const person: Person = stored
      ? { ...stored, name: patch?.name ?? stored.name, devCenter: patch?.devCenter ?? stored.devCenter }
      : { id: 0, email, name: input.name || email.split('@')[0]!, devCenter: input.devCenter ?? null };
    const subject = (input.subject?.trim() || subjectFrom(input.issue)).slice(0, 300);
    const roster = await deps.roster();
    const {
      classification: c,
      decision: d,
      plan,
    } = await deps.triage.triage(
      { subject, text: input.issue, requester: { name: person.name, email, devCenter: person.devCenter } },
      roster,
    );
    const agent: RosterMember | null = d.agent ? (roster.find((a) => a.id === d.agent!.id) ?? null) : null;
    const answer = d.route === 'ai' && plan?.kind === 'answer' && plan.answer && agent ? plan.answer : null;
    const triaged = triageChange(c, d, agent, plan);
    const now = deps.clock();
    const devCenter = input.devCenter ?? person.devCenter;
    const e = plan?.evidence;
    const signal = detection.enabled
      ? deps.detection.signal({
          ticketId: 0,
          requesterEmail: email,
          category: c.category,
          devCenter,
          text: `${subject}\n${input.issue}`,
          issue: e?.issue ? { name: e.issue.name, strength: e.issue.strength } : null,
          runnerUp: e?.runnerUp ? { name: e.runnerUp.name, strength: e.runnerUp.strength } : null,
          createdAt: now,
        })
      : null;
    if (signal && detection.fullPathFirst(fast.dialect, signal)) return null;
    // Every status through the transition table: new → open (triage) → waiting_on_user (the AI answered).
    const open = nextStatus('new', 'triage');
    const status = answer ? nextStatus(open, 'ai_answer') : open;
    const at = fast.date(now);

    const write = async (q: Sql) => {
      let r = person;
      if (!r.id) r = await insertRequester(q, person, at);
      else if (changed) {
        await q.run('UPDATE `requesters` SET `name` = ?, `dev_center` = ?, `updated_at` = ? WHERE `id` = ?', [
          r.name,
          r.devCenter,
          at,
          r.id,
        ]);
      }
      const p = triaged.patch;
      const { lastId: id } = await q.run(q.dialect === 'sqlite' ? INSERT_TICKET_SQLITE : INSERT_TICKET, [
        subject,
        input.issue,
        input.channel,
        status,
        p.severity,
        p.urgency,
        p.category,
        p.sentiment,
        p.intent,
        p.complex,
        p.summary,
        p.route,
        p.assigneeId,
        r.id,
        input.name.trim().slice(0, 200) || null,
        devCenter,
        p.classifier,
        p.confidence,
        JSON.stringify(p.triage),
        null,
        input.idempotencyKey ?? null,
        answer ? at : null,
        at,
        at,
      ]);
      const ref = refFor(id);
      if (q.dialect === 'mysql') await q.run('UPDATE `tickets` SET `ref` = ? WHERE `id` = ?', [ref, id]);
      const messageId = answer ? deps.ids.messageId(id) : null;
      const messages: unknown[] = [id, 'requester', null, r.email, false, input.issue, null, false, at, at];
      if (answer) messages.push(id, 'ai', agent!.id, null, false, answer, messageId, false, at, at);
      await q.run(insertMany('messages', MESSAGE_COLUMNS, answer ? 2 : 1), messages);
      const audits: unknown[] = [
        ...[id, `requester:${r.email}`.slice(0, 120), 'created'],
        ...[JSON.stringify({ channel: input.channel, parentTicketId: null }), at, at],
        ...[id, 'system', AUDIT_NAME.triage, JSON.stringify({ from: 'new', to: open, ...triaged.audit }), at, at],
      ];
      if (answer) {
        const data = { from: open, to: status, agent: agent!.name, composer: plan!.composer, sources: plan!.sources };
        audits.push(id, 'ai', AUDIT_NAME.ai_answer, JSON.stringify(data), at, at);
      }
      await q.run(insertMany('audit_events', AUDIT_COLUMNS, answer ? 3 : 2), audits);
      // The notifier's snapshot, as store.mailContext would read it: a widget ticket's only Message-ID is the answer's.
      const ctx = {
        ticket: {
          id,
          ref,
          subject,
          category: p.category,
          severity: p.severity,
          urgency: p.urgency,
          description: input.issue,
        },
        requester: { name: r.name, email: r.email, devCenter: r.devCenter },
        thread: { messageIds: messageId ? [messageId] : [], lastRequesterMessageId: null },
      };
      const sink: MailSink = { queued: [] };
      if (answer) await deps.notifier.aiAnswer(sink, ctx, agent!, answer, messageId!);
      else {
        await deps.notifier.ticketReceived(sink, ctx, agent, plan?.suggestion ?? null);
        if (agent?.kind === 'human') await deps.notifier.assignment(sink, ctx, agent);
      }
      await deps.fast.enqueue(q, sink.queued);
      // Detection last: on MySQL it may hold the category's claim, until the commit.
      if (signal && (await detection.check(q, fast, signal)) === 'incident') throw FULL_PATH;
      if (signal && !(await detection.record(q, fast, { ...signal, ticketId: id }))) throw FULL_PATH;
      return { id, ref, requesterId: r.id };
    };

    let done: { id: number; ref: string; requesterId: number };
    try {
      done = await fast.group(write);
    } catch (err) {
      if (err === FULL_PATH) return null;
      if (input.idempotencyKey && isUniqueViolation(err)) {
        // The same submission again (a retry after a lost response): the ticket its first attempt created.
        const first = await Ticket.findOne({ where: { idempotencyKey: input.idempotencyKey } });
        if (first) return Object.assign(first, { replayed: true });
      }
      throw err;
    }
    const ticket = Ticket.build(
      {
        ...triaged.patch,
        id: done.id,
        ref: done.ref,
        subject,
        description: input.issue,
        channel: input.channel,
        status,
        requesterId: done.requesterId,
        requesterName: input.name.trim().slice(0, 200) || null,
        devCenter,
        parentTicketId: null,
        incidentId: null,
        idempotencyKey: input.idempotencyKey ?? null,
        corrected: false,
        escalated: false,
        firstResponseAt: answer ? now : null,
        createdAt: now,
        updatedAt: now,
      },
      { isNewRecord: false },
    ) as CreatedTicket;
    ticket.answerText = answer;
    deps.log.info(
      { ticketId: done.id, ref: done.ref, channel: input.channel, route: d.route, category: c.category },
      'ticket stored and triaged',
    );
    return ticket;
  }

  return { create };
}
