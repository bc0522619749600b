import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { consoleCandidateDirectories, findConsoleDirectory, resolveConsoleFile } from './console-files';

/** The console loads only its own files and calls only this origin's API. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * GET /console and everything under it: the operator console's static build (dist/console),
 * unauthenticated like /docs (the files hold no data; the page asks for an API key and sends it
 * to /v1 as a Bearer token). Outside /v1, so the proxy never sees these paths.
 */
@Controller('console')
export class ConsoleController {
  private directory: string | undefined;

  @Get()
  index(@Req() req: Request, @Res() res: Response): void {
    this.send('', req, res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    let relative: string;
    try {
      relative = decodeURIComponent(req.path.replace(/^\/console\/?/, ''));
    } catch {
      throw new ProblemException(404, 'route_not_found', `No resource at GET ${req.path}.`);
    }
    this.send(relative, req, res);
  }

  private send(relative: string, req: Request, res: Response): void {
    // Looked up until found, so a build made after the gateway started is served without a restart.
    const candidates = consoleCandidateDirectories();
    this.directory ??= findConsoleDirectory(candidates);
    const found = resolveConsoleFile(this.directory, relative, candidates);
    if (found.kind === 'not_built')
      throw new ProblemException(
        503,
        'console_unavailable',
        `The operator console is not built: run \`npm run build\` (looked in ${found.looked.join(', ')}).`,
      );
    if (found.kind === 'not_found') throw new ProblemException(404, 'route_not_found', `No resource at GET ${req.path}.`);
    res.setHeader('cache-control', found.cacheControl);
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.type(found.contentType).sendFile(found.path);
  }
}
