import { Controller, Get, Logger, OnModuleInit, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { LoadedOpenApi, loadOpenApiDocument } from './openapi-document';

/**
 * GET /openapi.json and /openapi.yaml, unauthenticated like health: outside /v1, so the proxy
 * (and its API-key check) never sees them. The document is read once, when the gateway starts.
 */
@Controller()
export class OpenApiController implements OnModuleInit {
  private readonly logger = new Logger(OpenApiController.name);
  private loaded: LoadedOpenApi = { ok: false, reason: 'not loaded yet' };

  async onModuleInit(): Promise<void> {
    this.loaded = await loadOpenApiDocument();
    if (!this.loaded.ok) this.logger.warn(`API documentation unavailable: ${this.loaded.reason}`);
  }

  @Get('openapi.json')
  json(@Res() res: Response): void {
    res.status(200).type('application/json').send(this.document().json);
  }

  @Get('openapi.yaml')
  yaml(@Res() res: Response): void {
    res.status(200).type('application/yaml').send(this.document().yaml);
  }

  private document(): Extract<LoadedOpenApi, { ok: true }> {
    if (!this.loaded.ok) throw new ProblemException(503, 'openapi_unavailable', `The API documentation is not available: ${this.loaded.reason}.`);
    return this.loaded;
  }
}
