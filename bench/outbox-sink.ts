/**
 * The outbox benchmark's SMTP server in a process of its own (as a real relay is): smtp-server from the tests,
 * its port sent to the parent, and on each message from the parent the number of mails received so far.
 */
import { startSmtpServer } from '../tests/support/smtp.js';

const sink = await startSmtpServer();
process.send!({ port: sink.port });
process.on('message', () => process.send!({ received: sink.messages.length }));
process.on('disconnect', () => void sink.stop().then(() => process.exit(0)));
