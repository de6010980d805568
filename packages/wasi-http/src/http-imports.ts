// The wasi:http@0.3.0 import object without the default client: the resources of `types`, and
// `client.send` over a host send function (SendFn). Nothing here loads Node-only code, so the
// web entry (`@weft/wasi-http/web`: workerd, browsers, Deno) can use it; `imports.ts` adds the
// undici client as the default `send`.

import type { SendFn } from './host.ts';
import { HttpError } from './host.ts';
import { codeError, toErrorCode } from './types/errors.ts';
import { Fields, Request, RequestOptions, Response } from './types/index.ts';

export interface HttpOptions {
  /**
   * Where `client.send` goes: any function from a HostRequest to a HostResponse (rejecting
   * with an HttpError), e.g. another component's handler (`callHandler`) or a test double.
   */
  send?: SendFn;
}

export type HttpTypes = {
  Fields: typeof Fields;
  Request: typeof Request;
  RequestOptions: typeof RequestOptions;
  Response: typeof Response;
};

export type HttpImports = {
  'wasi:http/types@0.3.0': HttpTypes;
  'wasi:http/client@0.3.0': { send(request: Request): Promise<Response> };
};

/** The send of a host without an HTTP client: every request fails with internal-error. */
export const noClient: SendFn = () => Promise.reject(new HttpError({ tag: 'internal-error', val: 'no client' }));

/** The `types` interface: the resource classes. */
export const httpTypes: HttpTypes = { Fields, Request, RequestOptions, Response };

/**
 * `send` as the guest's `client.send` (or an imported `handler.handle`): the request resource
 * becomes a HostRequest (its body streamed from the guest as `send` reads it), the HostResponse
 * a response resource (its body pulled as the guest reads). A rejection becomes the call's
 * error-code, and fails the request's transmission future too. The AbortSignal aborts when the
 * guest drops the response (or its body) before reading it to the end.
 */
export function sendFrom(send: SendFn): (request: Request) => Promise<Response> {
  return async (request: Request): Promise<Response> => {
    if (!(request instanceof Request)) throw new TypeError('client.send needs a Request');
    const abort = new AbortController();
    let delivered!: (ok: boolean, why?: unknown) => void;
    const outcome = new Promise<void>((resolve, reject) => {
      delivered = (ok, why) => (ok ? resolve() : reject(why));
    });
    outcome.catch(() => {});
    const host = request.toHost(outcome);
    let response: Awaited<ReturnType<SendFn>>;
    try {
      response = await send(host, abort.signal);
    } catch (e) {
      const code = toErrorCode(e);
      delivered(false, new HttpError(code));
      throw codeError(code);
    }
    delivered(true);
    return Response.fromHost(response, () => abort.abort());
  };
}

/** `options` with `send` as `http.send` unless they name one (each entry's `withDefaultClient`). */
export function withSend<T extends { http?: HttpOptions }>(options: T, send: SendFn): T {
  if (options.http?.send !== undefined) return options;
  return { ...options, http: { ...options.http, send } };
}

/**
 * The wasi:http@0.3.0 imports: `wasi:http/types@0.3.0` (Fields, Request, RequestOptions,
 * Response) and `wasi:http/client@0.3.0` sending through `options.send`, by default
 * `noClient` (the Node entry's `createHttp` defaults to the undici client).
 */
export function createHttpImports(options: HttpOptions = {}): HttpImports {
  const send = sendFrom(options.send ?? noClient);
  return {
    'wasi:http/types@0.3.0': httpTypes,
    'wasi:http/client@0.3.0': { send },
  };
}
