import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { Clock } from '@abaxus/platform/time/clock';
import { WebhookDestinationPolicy } from '../deliveries/webhook-destinations';
import { EndpointSecretVault, generateEndpointSecret } from './endpoint-secrets';
import { endpointToJson, WebhookEndpointJson } from './webhook-endpoint-json';
import { CreateWebhookEndpointDto, ListWebhookEndpointsQuery, UpdateWebhookEndpointDto } from './webhook-endpoint.dto';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';

/** Where events may be posted: http(s) without credentials in the address (the secret signs instead), to an allowed destination. */
async function checkUrl(url: string, destinations: WebhookDestinationPolicy): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw ProblemException.validation([{ field: 'url', message: 'must be an absolute http or https URL' }]);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw ProblemException.validation([{ field: 'url', message: 'must be an http or https URL' }]);
  if (parsed.username || parsed.password) {
    throw ProblemException.validation([{ field: 'url', message: 'must not carry credentials: deliveries are signed with the endpoint secret instead' }]);
  }
  const refusal = await destinations.urlRefusal(parsed);
  if (refusal) throw ProblemException.validation([{ field: 'url', message: `must be a public address: ${refusal}` }]);
  return parsed.toString();
}

@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly vault: EndpointSecretVault,
    private readonly clock: Clock,
    private readonly destinations: WebhookDestinationPolicy,
  ) {}

  /** The secret is in this answer only: it is never shown again. */
  async create(body: CreateWebhookEndpointDto): Promise<WebhookEndpointJson & { secret: string }> {
    const url = await checkUrl(body.url, this.destinations);
    const secret = generateEndpointSecret();
    const row = await this.endpoints.insert({
      id: `we_${randomBytes(12).toString('hex')}`,
      url,
      description: body.description ?? null,
      eventTypes: body.events,
      sealedSecret: this.vault.seal(secret),
      now: this.clock.now(),
    });
    return { ...endpointToJson(row), secret };
  }

  async get(id: string): Promise<WebhookEndpointJson> {
    const row = await this.endpoints.find(id);
    if (!row) throw ProblemException.notFound('Webhook endpoint', id);
    return endpointToJson(row);
  }

  async list(query: ListWebhookEndpointsQuery): Promise<Page<WebhookEndpointJson>> {
    const limit = listLimit(query);
    let beforeSequence: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSequence = await this.endpoints.sequenceOf(query.starting_after);
      if (beforeSequence === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.endpoints.list({ beforeSequence, status: query.status, limit });
    return toPage(rows.map(endpointToJson), limit, (endpoint) => endpoint.id);
  }

  async update(id: string, body: UpdateWebhookEndpointDto): Promise<WebhookEndpointJson> {
    const row = await this.endpoints.update(
      id,
      {
        url: body.url === undefined ? undefined : await checkUrl(body.url, this.destinations),
        description: body.description,
        eventTypes: body.events,
        status: body.status,
      },
      this.clock.now(),
    );
    if (!row) throw ProblemException.notFound('Webhook endpoint', id);
    return endpointToJson(row);
  }

  async delete(id: string): Promise<{ id: string; deleted: true }> {
    if (!(await this.endpoints.delete(id))) throw ProblemException.notFound('Webhook endpoint', id);
    return { id, deleted: true };
  }
}
