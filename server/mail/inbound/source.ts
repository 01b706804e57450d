/**
 * MailSource: where raw messages come from. Every source hands raw bytes to the same intake (store first, then
 * process). Implementations: IMAP with IDLE (imap.ts), the raw-MIME webhook (routes.ts, push rather than pull)
 * and .eml files (file-source.ts, the offline one: imports and tests need no server).
 */
export interface MailSource {
  readonly name: string;
  /** Starts reading (a pull source) or accepting (a push source). */
  start(): void;
  /** Stops after the message in hand. */
  stop(): Promise<void>;
  status(): { state: string; [k: string]: unknown };
}
