// The pool and fetch bridge of the Node entry (`@weft/wasi-http`): as the web entry's, but a
// guest's outgoing requests go to the undici client unless `http.send` says otherwise.

import { withDefaultClient } from './imports.ts';
import { type FetchHandler, type FetchHandlerOptions, toFetchHandler as webToFetchHandler } from './server/fetch.ts';
import { type ComponentLike, type HandlerPoolOptions, HandlerPool as WebHandlerPool } from './server/pool.ts';

/** HandlerPool (see server/pool.ts) whose default `http.send` is the undici client. */
export class HandlerPool extends WebHandlerPool {
  constructor(component: ComponentLike | Uint8Array | ArrayBuffer, options: HandlerPoolOptions = {}) {
    super(component, withDefaultClient(options));
  }
}

/** toFetchHandler (see server/fetch.ts) whose pool's default `http.send` is the undici client. */
export function toFetchHandler(
  component: ComponentLike | Uint8Array | ArrayBuffer | WebHandlerPool,
  options: FetchHandlerOptions = {},
): FetchHandler {
  return webToFetchHandler(component, withDefaultClient(options));
}
