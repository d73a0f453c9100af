import type { Env, Hono } from "hono";
import { inspectRoutes } from "hono/dev";
import { TrieRouter } from "hono/router/trie-router";

/** The order an `Allow` header names methods in; any other method follows, alphabetically. */
const methodOrder = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const rank = (method: string) => {
  const at = methodOrder.indexOf(method);
  return at === -1 ? methodOrder.length : at;
};

/**
 * The methods an app's routes answer at a path, for the `Allow` header of a 405 (RFC 9110 §15.5.6); none where no
 * route matches the path, which stays a 404. Read from the handlers registered on the app, so a new route is listed
 * without being named anywhere else. Middleware serves nothing, though some is bound to a method (a JSON check on
 * POST and PUT under a wildcard): Hono's own test tells it apart (`hono/dev`: a handler that takes `next`). HEAD
 * goes with GET, which Hono answers it with. A handler for every method (`app.all`) is no help in telling which
 * methods a path takes, so it is left out too.
 *
 * The app's routes are read when first asked, and again whenever more were registered since: an app may set its
 * not-found handler before its routes.
 */
export function methodsServedAt<E extends Env>(app: Hono<E>): (path: string) => string[] {
  let router = new TrieRouter<string>();
  let routesRead = 0;
  return (path) => {
    if (routesRead !== app.routes.length) {
      routesRead = app.routes.length;
      router = new TrieRouter<string>();
      // Every route under "ALL" with its method as the value: one match finds the methods of every route at the path.
      for (const route of inspectRoutes(app))
        if (!route.isMiddleware && route.method !== "ALL") router.add("ALL", route.path, route.method);
    }
    const methods = new Set(router.match("GET", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  };
}
