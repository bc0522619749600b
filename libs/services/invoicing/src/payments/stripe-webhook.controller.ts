import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { RequestWithRawBody } from '@abaxus/platform/http/json-body.middleware';
import { StripeWebhookService, WebhookAnswer } from './stripe-webhook.service';

/** Reached without an API key: the signature over the raw body is the authentication. */
@Controller('v1/webhooks')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post('stripe')
  @HttpCode(200)
  receive(@Req() req: RequestWithRawBody): Promise<WebhookAnswer> {
    const signature = req.headers['stripe-signature'];
    return this.webhooks.handle(req.rawBody, typeof signature === 'string' ? signature : undefined);
  }
}
