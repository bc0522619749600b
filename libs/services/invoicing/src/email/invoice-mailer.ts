import { Inject, Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';

export interface InvoiceMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  pdf: { filename: string; content: Buffer };
  /** Images the HTML shows by `cid:` (the issuer's logo). */
  inlineImages: Array<{ cid: string; filename: string; content: Buffer; contentType: string }>;
}

export class MailDeliveryError extends Error {}

/** Sends mail over SMTP (SMTP_URL), from MAIL_FROM. The only code that talks to the mail server. */
@Injectable()
export class InvoiceMailer {
  constructor(@Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig) {}

  get configured(): boolean {
    return this.config.smtpUrl !== undefined;
  }

  /** Resolves once the server accepted the message; throws MailDeliveryError with its reason otherwise. */
  async send(mail: InvoiceMail): Promise<{ messageId: string }> {
    if (!this.config.smtpUrl) throw new MailDeliveryError('SMTP_URL is not set');
    const transport = createTransport({ url: this.config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    try {
      const info = await transport.sendMail({
        from: this.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: [
          { filename: mail.pdf.filename, content: mail.pdf.content, contentType: 'application/pdf' },
          ...mail.inlineImages.map((image) => ({ ...image, contentDisposition: 'inline' as const })),
        ],
      });
      return { messageId: String(info.messageId) };
    } catch (error) {
      throw new MailDeliveryError((error as Error).message);
    } finally {
      transport.close();
    }
  }
}
