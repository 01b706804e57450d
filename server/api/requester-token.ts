/** The widget's requester token, shared by the ticket and incident APIs. */
import type { LinkSigner } from '../http/signed-links.js';

/**
 * A requester token sees only the tickets created with it in one browser, never every ticket of an address:
 * anyone can type someone else's email into the widget, and that must not open their history.
 */
export function requesterToken(signer: LinkSigner, ticketId: number, email: string, held?: string) {
  let ids: number[] = [];
  if (held) {
    try {
      const prior = signer.verify(held, 'requester');
      if (prior.e === email.toLowerCase()) ids = prior.ids ?? [];
    } catch {
      // an expired or foreign token just starts a new list
    }
  }
  const all = [...ids.filter((i) => i !== ticketId), ticketId].slice(-50);
  return signer.sign({ t: 0, a: 'requester', e: email.toLowerCase(), ids: all }, 365);
}
