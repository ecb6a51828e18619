import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';

/**
 * The console's files: `console/` at the root of the package, found from wherever this module
 * runs (src/ under test, dist/src/ built), as `packageVersion` finds package.json.
 */
export function consoleDirectory(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * Everything the page may load comes from this origin: no CDN, no inline script, no framing.
 * The API is fetched from the same origin, so `connect-src 'self'` is all it needs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // The files change with the service; a stale app against a newer API would mislead.
  res.setHeader('Cache-Control', 'no-cache');
  next();
};

/**
 * `/console`: the static single-page app. It holds no data and needs no key; it signs in
 * against `/v1/me` and reads `/v1` with the key the user types, kept in sessionStorage.
 */
export function consoleRouter(directory = consoleDirectory()): Router {
  const router = express.Router({ caseSensitive: true, strict: true });
  if (directory === undefined) return router;
  router.use(securityHeaders);
  // `/console` without the slash would resolve the page's relative module paths one level up.
  router.get('/', (req, res, next) => {
    if (req.originalUrl.split('?')[0] === '/console') {
      res.redirect(301, '/console/');
      return;
    }
    next();
  });
  router.use(
    express.static(directory, {
      index: 'index.html',
      dotfiles: 'ignore',
      etag: true,
      fallthrough: true,
    }),
  );
  return router;
}
