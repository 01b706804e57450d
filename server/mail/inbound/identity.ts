/**
 * Who an email reply on a ticket counts as (issue 11, item 5). Identity is earned, never read from From: alone:
 *
 * - an agent's reply is sent to the requester as that agent only when it answers something we issued (our HMAC
 *   Message-ID in In-Reply-To/References, or the HMAC reply address) AND the trusted receiving server
 *   authenticated the From: domain (DMARC, see auth-results.ts); otherwise it waits, as an internal note, for
 *   that agent to confirm it in the console;
 * - the requester's reply is a comment either way, but its intent ("that fixed it" resolves, "still broken" hands
 *   an AI ticket to a person) is acted on only when the From: domain is authenticated;
 * - anyone else's reply is an internal note for the agents when it threads by something we issued (it never
 *   reaches the requester's page and changes nothing), and a new ticket of their own when it does not.
 */
import type { CommentInput } from '../../tickets/service.js';
import type { SenderVerdict } from './auth-results.js';
import type { ThreadMatch } from './threading.js';

export type EmailRole =
  | { as: 'agent'; agentId: number }
  | { as: 'agent_unconfirmed'; agentId: number; why: string }
  | { as: 'requester'; intent: boolean; why: string }
  | { as: 'outsider'; why: string }
  | { as: 'new_ticket'; why: string };

/** Threading by a secret we issued; a Message-ID merely seen on the ticket or a subject tag is not one. */
const ISSUED: readonly ThreadMatch['by'][] = ['message-id', 'reply-token'];

export function emailRole(i: {
  by: ThreadMatch['by'];
  agent: { id: number } | null;
  isRequester: boolean;
  verdict: SenderVerdict;
}): EmailRole {
  const issued = ISSUED.includes(i.by);
  if (i.agent) {
    if (issued && i.verdict.authenticated) return { as: 'agent', agentId: i.agent.id };
    const why = issued ? i.verdict.reason : `threaded by ${i.by}, not by a reply token or our Message-ID`;
    return { as: 'agent_unconfirmed', agentId: i.agent.id, why };
  }
  if (i.isRequester) return { as: 'requester', intent: i.verdict.authenticated, why: i.verdict.reason };
  if (issued) return { as: 'outsider', why: 'sender is neither the requester nor an agent' };
  return { as: 'new_ticket', why: 'sender is not on the ticket and did not reply to our mail' };
}

/** The comment (and its audit actor) for a role other than new_ticket. */
export function commentFor(
  role: Exclude<EmailRole, { as: 'new_ticket' }>,
  sender: string,
  text: string,
  email: NonNullable<CommentInput['email']>,
): { input: CommentInput; actor: string } {
  switch (role.as) {
    case 'agent':
      return { input: { authorKind: 'agent', agentId: role.agentId, text, email }, actor: `agent:${role.agentId}` };
    case 'agent_unconfirmed':
      return {
        input: {
          authorKind: 'agent',
          agentId: role.agentId,
          text,
          email,
          pendingConfirmation: true,
          audit: { awaitingConfirmation: true, why: role.why },
        },
        actor: `email:${sender}`,
      };
    case 'requester':
      return {
        input: {
          authorKind: 'requester',
          text,
          email,
          readIntent: role.intent,
          ...(role.intent ? {} : { audit: { intentIgnored: role.why } }),
        },
        actor: `requester:${sender}`,
      };
    case 'outsider':
      return {
        input: { authorKind: 'requester', text, email, internal: true, authorEmail: sender, audit: { why: role.why } },
        actor: `email:${sender}`,
      };
  }
}
