import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { InvoiceJson } from '../invoices/invoice-json';
import { InvoiceEmailService } from './invoice-email.service';

@Controller('v1/invoices')
export class InvoiceEmailController {
  constructor(private readonly email: InvoiceEmailService) {}

  /** 200 with the invoice (sent_at set); 422 no email on file; 502 the mail server refused; 503 no SMTP_URL. */
  @Post(':id/send-email')
  @HttpCode(200)
  send(@Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<InvoiceJson> {
    return this.email.send(id);
  }
}
