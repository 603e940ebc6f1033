import type { FastifyInstance } from 'fastify';

/** A route's path pattern and the methods it answers. */
interface RouteMethods {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * The methods each registered path answers, so that a request for a path that exists, with a method it does not
 * take (`PUT /rooms/abc`), is told so with 405 and `Allow` (RFC 9110 §15.5.6) rather than a 404 that reads as a
 * typo in the path. Filled from Fastify's onRoute hook, which sees every route, HEAD ones included.
 */
export interface AllowedMethods {
  /** The methods the path answers, sorted, or undefined when no route has this path. */
  forPath(path: string): string[] | undefined;
}

export function collectAllowedMethods(app: FastifyInstance): AllowedMethods {
  const routes = new Map<string, RouteMethods>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let entry = routes.get(route.url);
    if (!entry) {
      entry = { pattern: patternOf(route.url), methods: new Set() };
      routes.set(route.url, entry);
    }
    for (const method of methods) entry.methods.add(method.toUpperCase());
  });
  return {
    forPath(path) {
      const allowed = new Set<string>();
      for (const { pattern, methods } of routes.values()) {
        if (pattern.test(path)) for (const method of methods) allowed.add(method);
      }
      return allowed.size === 0 ? undefined : [...allowed].sort();
    },
  };
}

/**
 * A route URL as a regular expression over a raw request path: `:name` is one segment (a `%2F` in it is still
 * encoded here, as the router sees it; empty too, as the router takes `/rooms/` for `/rooms/:roomId`) and `*`
 * anything.
 */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]*';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}
