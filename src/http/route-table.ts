// The console's route table as registered: method, path pattern, declared access and schemas. Deny by default
// (style.md): a route that declares no access stops the server from starting, naming it; the authorisation
// matrix and the fuzz test are generated from this table (test/security).
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Access } from '../auth/permissions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (src/auth/permissions.ts); a route without it stops the server from starting. */
    access?: Access;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
  schema: FastifySchema | undefined;
}

/** Records every route registered on `app` from now on and refuses `ready()` while one has no access level. */
export function collectRoutes(app: FastifyInstance): () => RouteEntry[] {
  const table: { method: string | string[]; url: string; config?: { access?: Access }; schema?: FastifySchema }[] = [];
  app.addHook('onRoute', (route) => void table.push(route));
  const entries = (): RouteEntry[] => table.flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url, access: r.config?.access, schema: r.schema })));
  app.addHook('onReady', async () => {
    const undeclared = entries().filter((r) => r.access === undefined);
    if (undeclared.length > 0) {
      throw new Error(`routes without an access level (deny by default: declare config.access): ${undeclared.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    }
  });
  return entries;
}
