import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { dirname, join } from 'node:path';
import { ProblemException } from '@abaxus/platform/http/problem.exception';

/** The Swagger UI files served under /docs, from the swagger-ui-dist package (no CDN). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** The page's own script, kept out of the HTML so the page runs under a script-src 'self' policy. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>ABAXUS API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

/** Everything the page loads comes from the gateway itself. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

/** Where swagger-ui-dist is installed, or undefined when it is not (then /docs answers 503). */
function swaggerUiDirectory(): string | undefined {
  try {
    return dirname(require.resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * GET / (where to go from here), GET /docs (the OpenAPI document rendered by Swagger UI) and its
 * assets: unauthenticated like /openapi.json, outside /v1 so the proxy never sees them.
 */
@Controller()
export class ApiDocsController {
  private readonly assetsDirectory = swaggerUiDirectory();

  @Get()
  root(): Record<string, string> {
    return { name: 'ABAXUS', api: '/v1', docs: '/docs', console: '/console', openapi: '/openapi.json', health: '/health/ready' };
  }

  @Get('docs')
  @Header('content-security-policy', CONTENT_SECURITY_POLICY)
  page(@Res() res: Response): void {
    this.directory();
    res.status(200).type('text/html; charset=utf-8').send(PAGE);
  }

  @Get('docs/init.js')
  init(@Res() res: Response): void {
    res.status(200).type('text/javascript; charset=utf-8').send(INIT_SCRIPT);
  }

  @Get('docs/:asset')
  asset(@Param('asset') asset: string, @Res() res: Response): void {
    const type = Object.prototype.hasOwnProperty.call(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) throw new ProblemException(404, 'route_not_found', `No resource at GET /docs/${asset}.`);
    res.setHeader('cache-control', 'public, max-age=3600');
    res.type(type).sendFile(join(this.directory(), asset));
  }

  private directory(): string {
    if (!this.assetsDirectory)
      throw new ProblemException(503, 'docs_unavailable', 'The API documentation viewer (swagger-ui-dist) is not installed; /openapi.json still answers.');
    return this.assetsDirectory;
  }
}
