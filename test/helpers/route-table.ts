// Every route the app serves, as method and path, read from Fastify's route tree (printRoutes),
// so that a test can walk the whole table rather than a list of its own that could fall behind.
import type { FastifyInstance } from 'fastify';

export interface Route {
  method: string;
  path: string;
}

export function routeTable(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!m) continue;
    const depth = [...m[1]!].length / 4;
    stack.length = depth;
    const path = (stack.at(-1) ?? '') + m[2]!;
    stack.push(path);
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}
