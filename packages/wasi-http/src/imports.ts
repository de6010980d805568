// The wasi:http@0.3.0 import object: the resources of `types`, and `client.send` over a host
// send function (SendFn), by default the undici client. (`http-imports.ts` holds all but that
// default, for the web entry.)

import type { SendFn } from './host.ts';
import { createHttpImports, type HttpImports, type HttpOptions, withSend } from './http-imports.ts';

export {
  type HttpImports,
  type HttpOptions,
  type HttpTypes,
  httpTypes,
  noClient,
  sendFrom,
} from './http-imports.ts';

/**
 * The undici client's shared `defaultSend`, loaded on the first send: a component that sends
 * nothing (most commands under `weft run`) does not pay for loading undici at start-up.
 */
const lazyDefaultSend: SendFn = async (request, signal) => {
  const { defaultSend } = await import('./client/index.ts');
  return defaultSend(request, signal);
};

/**
 * `options` with the undici client as `http.send` unless they name one: what the Node entry's
 * pool, fetch bridge and server use (the web entry's default no client).
 */
export function withDefaultClient<T extends { http?: HttpOptions }>(options: T): T {
  return withSend(options, lazyDefaultSend);
}

/**
 * The wasi:http@0.3.0 imports: `wasi:http/types@0.3.0` (Fields, Request, RequestOptions,
 * Response) and `wasi:http/client@0.3.0` sending through `options.send`, by default the undici
 * client's `defaultSend` (loaded on the first send).
 */
export function createHttp(options: HttpOptions = {}): HttpImports {
  return createHttpImports({ send: options.send ?? lazyDefaultSend });
}
