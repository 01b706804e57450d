/** Header names and values the helpdesk puts on its own mail, shared by outbound rendering and inbound loop detection. */

/** Our loop header: any inbound message carrying it was sent by a helpdesk (ours or a peer) and is never answered. */
export const LOOP_HEADER = 'X-Helpdesk-Loop';
export const LOOP_HEADER_VALUE = 'helpdesk';
