import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server for tests: keeps every message it accepted, parsed; can refuse the next ones, or accept them late. */
export class SmtpTestServer {
  readonly messages: ParsedMail[] = [];
  private refusal: string | undefined;
  private acceptAfterMs = 0;
  private readonly server: SMTPServer;
  url = '';

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refusal) {
          const error = new Error(this.refusal) as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            setTimeout(callback, this.acceptAfterMs);
          })
          .catch(callback);
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Refuses every recipient with this reason (undefined to accept again). */
  refuseRecipients(reason: string | undefined): void {
    this.refusal = reason;
  }

  /** Answers each message's end of data after `ms` (0: at once). */
  acceptAfter(ms: number): void {
    this.acceptAfterMs = ms;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
