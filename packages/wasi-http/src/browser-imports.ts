// `@weft/wasi-http/imports` under the `browser` condition: as imports.ts, but the default
// `client.send` is fetchClient() (the platform's fetch) instead of the undici client.

import { fetchClient } from './fetch-client.ts';
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
 * `options` with fetchClient() as `http.send` unless they name one: what the browser entry's
 * pool and fetch bridge use.
 */
export function withDefaultClient<T extends { http?: HttpOptions }>(options: T): T {
  return options.http?.send !== undefined ? options : withSend(options, fetchClient());
}

/**
 * The wasi:http@0.3.0 imports: `wasi:http/types@0.3.0` (Fields, Request, RequestOptions,
 * Response) and `wasi:http/client@0.3.0` sending through `options.send`, by default fetch.
 */
export function createHttp(options: HttpOptions = {}): HttpImports {
  return createHttpImports({ send: options.send ?? fetchClient() });
}
