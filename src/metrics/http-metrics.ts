/**
 * The HTTP side of the metrics: every request timed by its route template, and `GET /metrics`
 * with its access rule (README, "Operating"):
 *
 * - METRICS_TOKEN unset: only a client on this host (loopback) may read it, and only directly:
 *   a request carrying a proxy's forwarding header came from elsewhere, whatever its socket says;
 * - METRICS_TOKEN set: `Authorization: Bearer <token>` from anywhere, and nothing without it.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler, Request } from 'express';
import { platformProblems } from '../http/problem-types.js';
import { httpProblem } from '../http/problem.js';
import { requestLocals } from '../http/route.js';
import type { ServiceMetrics } from './service-metrics.js';

/** The label of a request no route matched (an unknown path): one value, whatever was asked. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request to its end. The route is the template the request matched (set by
 * `mountRoutes` and `allowedMethods`, or Express's own for the operations paths), so
 * `/v1/invoices/{id}` is one series however many invoices there are.
 */
export function httpMetrics(metrics: Pick<ServiceMetrics, 'httpRequestDuration'>): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      metrics.httpRequestDuration.observe(
        {
          method: METHODS.has(req.method) ? req.method : 'other',
          route: routeOf(req, requestLocals(res).route),
          status_code: String(res.statusCode),
        },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}

function routeOf(req: Request, declared: string | undefined): string {
  if (declared !== undefined) return declared;
  // Only the operations paths are plain `app.get`s; their path is a literal, not the request's.
  const matched = (req.route as { path?: unknown } | undefined)?.path;
  return typeof matched === 'string' && !matched.includes(':') ? matched : UNMATCHED_ROUTE;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Whether a scrape may be answered; the problem to answer with when not. */
export function metricsAccess(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return (request: {
    readonly remoteAddress: string | undefined;
    readonly authorization: string | undefined;
    readonly forwarded: boolean;
  }): Error | undefined => {
    if (expected === undefined) {
      if (isLoopback(request.remoteAddress) && !request.forwarded) return undefined;
      return httpProblem(
        platformProblems.forbidden,
        'Metrics are served to this host only; set METRICS_TOKEN to scrape them from elsewhere',
      );
    }
    const match = request.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(request.authorization) : null;
    // Compared as digests, so neither the length nor the bytes of the token leak in the timing.
    if (match && timingSafeEqual(digest(match[1]!), expected)) return undefined;
    return httpProblem(
      platformProblems.unauthorized,
      request.authorization
        ? 'The metrics token is not valid'
        : 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>',
      { headers: { 'WWW-Authenticate': 'Bearer' } },
    );
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `GET /metrics`: Prometheus text, read from memory only (see `read-side-metrics.ts`). */
export function metricsEndpoint(
  metrics: Pick<ServiceMetrics, 'scrape' | 'contentType'>,
  token: string | undefined,
): RequestHandler {
  const allowed = metricsAccess(token);
  return async (req, res) => {
    const refused = allowed({
      remoteAddress: req.socket.remoteAddress,
      authorization: req.get('authorization'),
      forwarded: req.get('forwarded') !== undefined || req.get('x-forwarded-for') !== undefined,
    });
    if (refused) throw refused;
    const text = await metrics.scrape();
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.contentType).send(text);
  };
}
