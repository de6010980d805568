// The pool and fetch bridge of the browser entry: as the web entry's, but a guest's outgoing
// requests go to fetch unless `http.send` says otherwise (node-defaults.ts is the undici twin).

import { withDefaultClient } from './browser-imports.ts';
import { type FetchHandler, type FetchHandlerOptions, toFetchHandler as webToFetchHandler } from './server/fetch.ts';
import { type ComponentLike, type HandlerPoolOptions, HandlerPool as WebHandlerPool } from './server/pool.ts';

/** HandlerPool (see server/pool.ts) whose default `http.send` is fetch. */
export class HandlerPool extends WebHandlerPool {
  constructor(component: ComponentLike | Uint8Array | ArrayBuffer, options: HandlerPoolOptions = {}) {
    super(component, withDefaultClient(options));
  }
}

/** toFetchHandler (see server/fetch.ts) whose pool's default `http.send` is fetch. */
export function toFetchHandler(
  component: ComponentLike | Uint8Array | ArrayBuffer | WebHandlerPool,
  options: FetchHandlerOptions = {},
): FetchHandler {
  return webToFetchHandler(component, withDefaultClient(options));
}
