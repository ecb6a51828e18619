import { z } from 'zod';
import { scopes } from '../api-keys.js';
import { defineRoute, type RouteSpec } from '../route.js';

/**
 * `GET /v1/me`: which key the caller is and what its scopes allow. The console signs in with it
 * and shows only what those scopes allow; any client may use it to check a key before work.
 */
export const meRoute: RouteSpec = defineRoute({
  method: 'get',
  path: '/v1/me',
  operationId: 'getMe',
  summary: "The calling API key's id and scopes",
  description:
    'Any valid key may ask. `admin` grants every scope, so a client deciding what to offer checks for it as well as for the scope a route names.',
  tag: 'operations',
  // Every key holds at least one scope, so naming them all lets every valid key in.
  scopes: [...scopes],
  responses: {
    200: {
      description: 'The key',
      schema: z.object({
        keyId: z.string(),
        scopes: z.array(z.enum(scopes)),
      }),
    },
  },
  handle({ context }) {
    return Promise.resolve({
      status: 200,
      body: { keyId: context.principal.id, scopes: [...context.principal.scopes] },
    });
  },
});
