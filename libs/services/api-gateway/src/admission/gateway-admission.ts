import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { scopeAllows } from '@abaxus/platform/config/api-key-grants';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { ApiKeyAuthenticator, Caller } from '../auth/api-key-authenticator';
import { GatewayMetrics } from '../prometheus/gateway-metrics';
import { matchPublicRoute, MatchedRoute } from '../proxy/public-routes';
import { RateLimiter } from '../rate-limit/rate-limiter';

/** What admission decided, for the proxy controller. */
export interface AdmittedRequest {
  matched: MatchedRoute;
  /** Undefined only for the routes reached without a key (the Stripe webhook). */
  caller: Caller | undefined;
}

export type RequestWithAdmission = Request & { admission?: AdmittedRequest };

/** Largest body the edge accepts: a backfill of 5,000 events with properties fits well inside. */
export const GATEWAY_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** A refused body up to this size is read and discarded rather than left for a connection reset. */
const DRAINED_BODY_BYTES = 64 * 1024;
/** How long a refused large body may go on arriving (read and dropped) after its answer. */
const LINGER_MS = 5_000;

/**
 * Node closes a `Connection: close` socket as soon as the answer is written (destroySoon), unread
 * bytes and all, which resets it. Here it only ends its side instead; Node keeps dropping the
 * body that still arrives, until the client closes or LINGER_MS has passed.
 */
function lingerOnClose(req: Request): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

/** An overload passes within a request's time: the client is asked to retry after a second. */
export const RETRY_OVERLOADED_SECONDS = 1;

/**
 * Everything the gateway decides before it reads a body byte: the public route (404/405/400), the
 * API key (401) and its scope (403), the bounds of this process on requests and body bytes in
 * flight (503), the key's rate limit (429). A refused body is never buffered.
 */
@Injectable()
export class GatewayAdmission {
  private requestsInFlight = 0;
  private bytesInFlight = 0;

  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimiter: RateLimiter,
    private readonly metrics: GatewayMetrics,
  ) {}

  middleware(): RequestHandler {
    return (req: RequestWithAdmission, res: Response, next: NextFunction) => {
      const outsideApi = !/^\/v1(\/|\?|$)/.test(req.originalUrl);
      // Outside /v1 the gateway serves reads only (health, metrics, documents): no body is ever read there.
      if (outsideApi && (req.method === 'GET' || req.method === 'HEAD')) return next();
      const admitted = outsideApi
        ? Promise.reject(new ProblemException(404, 'route_not_found', `No resource at ${req.method} ${req.path}.`))
        : this.admit(req, res);
      admitted.then(
        () => next(),
        (error: unknown) => {
          if (error instanceof ProblemException) this.metrics.refused(error.problem.code);
          // A small body is drained by Node. A large one is never buffered: the connection closes
          // after the answer, and what the client still sends is read and dropped for a while
          // (a lingering close, as nginx does): closing on unread bytes would reset the
          // connection, and a client still writing its body would lose the answer.
          const declared = Number(req.headers['content-length'] ?? 0);
          if (req.headers['transfer-encoding'] !== undefined || !(declared <= DRAINED_BODY_BYTES)) {
            res.setHeader('Connection', 'close');
            lingerOnClose(req);
          }
          next(error);
        },
      );
    };
  }

  private async admit(req: RequestWithAdmission, res: Response): Promise<void> {
    let matched: MatchedRoute | undefined;
    let unmatched: unknown;
    try {
      matched = matchPublicRoute(req.method, req.originalUrl);
    } catch (error) {
      unmatched = error;
    }
    let caller: Caller | undefined;
    if (matched?.route.scope !== 'none') {
      // Without a valid key nothing else is said, not even whether the route exists.
      caller = this.authenticator.authenticate(req.headers.authorization);
      if (!caller) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new ProblemException(401, 'unauthorized', 'A valid API key is required: send it as "Authorization: Bearer <key>".');
      }
    }
    if (!matched) throw unmatched;
    const needed = matched.route.scope;
    if (caller && needed !== 'none' && !scopeAllows(caller.scope, needed)) {
      throw new ProblemException(
        403,
        'insufficient_scope',
        `This API key has the scope "${caller.scope}"; ${req.method} ${matched.route.template} needs "${needed}" (or "admin").`,
        {
          required_scope: needed,
        },
      );
    }
    this.reserve(req, res);
    if (caller) {
      const verdict = await this.rateLimiter.admit(caller);
      if (verdict) {
        res.setHeader('RateLimit-Limit', String(verdict.limit));
        res.setHeader('RateLimit-Remaining', String(verdict.remaining));
        res.setHeader('RateLimit-Reset', String(verdict.resetSeconds));
        if (!verdict.allowed) {
          throw new ProblemException(
            429,
            'rate_limited',
            `This API key may make ${verdict.limit} requests per ${this.config.rateLimit.windowSeconds} s; retry in ${verdict.resetSeconds} s.`,
          ).retryAfter(verdict.resetSeconds);
        }
      }
    }
    req.admission = { matched, caller };
  }

  /** Takes the request's share of this process's bounds until its answer is sent (or the client goes). */
  private reserve(req: Request, res: Response): void {
    const declared = Number(req.headers['content-length']);
    const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
    // A body of unknown length may grow to the body limit (the body reader stops it there).
    const bytes = !hasBody
      ? 0
      : Number.isFinite(declared) && req.headers['transfer-encoding'] === undefined
        ? Math.min(declared, GATEWAY_BODY_LIMIT_BYTES)
        : GATEWAY_BODY_LIMIT_BYTES;
    const { maxConcurrentRequests, maxBodyBytesInFlight } = this.config.gatewayLimits;
    // Alone, a request is always admitted (a bound below one body must not refuse every body).
    const tooManyBytes = this.bytesInFlight > 0 && this.bytesInFlight + bytes > maxBodyBytesInFlight;
    if (this.requestsInFlight >= maxConcurrentRequests || tooManyBytes) {
      throw new ProblemException(
        503,
        'overloaded',
        tooManyBytes
          ? 'The gateway holds as many request bodies as it may right now; retry shortly.'
          : 'The gateway serves as many requests as it may right now; retry shortly.',
      ).retryAfter(RETRY_OVERLOADED_SECONDS);
    }
    this.requestsInFlight += 1;
    this.bytesInFlight += bytes;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.requestsInFlight -= 1;
      this.bytesInFlight -= bytes;
    };
    res.once('finish', release);
    res.once('close', release);
  }
}
