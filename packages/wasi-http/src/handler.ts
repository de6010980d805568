// wasi:http/handler@0.3.0 from the host's side: calling a guest's exported `handle` with a host
// request, and serving `handle` to a guest that imports it (a middleware forwarding requests).

import { ComponentError } from '@weft/core';
import { type HostRequest, type HostResponse, HttpError, type SendFn } from './host.ts';
import { sendFrom } from './http-imports.ts';
import { errorCode } from './types/errors.ts';
import { Request, Response } from './types/index.ts';

/** A guest's exported `handle` (`instance.exports['wasi:http/handler@0.3.0'].handle`). */
export type GuestHandle = (request: Request) => Promise<Response> | Response;

/**
 * Calls a guest's `handle` with a request resource made from `request` (its body pulled from
 * `request.contents` as the guest reads) and returns the guest's response for the host to
 * write out: its body streams from the guest as the host iterates `contents`, and the
 * response's transmission future (`response.new`'s) reports ok once the host read it all.
 *
 * An `error-code` the guest returns rejects as an HttpError with that code; a trap rejects
 * with the Trap. `delivered`, if given, settles the transmission future too: pass a promise of
 * the response having been written out (ok) or of why not.
 */
export function callHandler(
  handle: GuestHandle,
  request: HostRequest,
  delivered?: PromiseLike<unknown>,
): Promise<HostResponse> {
  return startHandle(handle, request).then(
    (response) => handlerResponse(response, delivered),
    (e: unknown) => {
      throw handlerError(e);
    },
  );
}

/** `handle` called with a request resource made from `request`: what it returns, or threw. */
export function startHandle(handle: GuestHandle, request: HostRequest): Promise<unknown> {
  try {
    return Promise.resolve(handle(Request.fromHost(request)));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** callHandler's view of what `handle` returned: the response for the host (throws if none). */
export function handlerResponse(response: unknown, delivered: PromiseLike<unknown> | undefined): HostResponse {
  if (!(response instanceof Response)) throw new TypeError('the handler returned no wasi:http Response');
  return response.toHost(delivered);
}

/** What a failed `handle` rejects with: an HttpError for the guest's error-code, else what it threw. */
export function handlerError(e: unknown): unknown {
  if (!(e instanceof ComponentError)) return e;
  const code = errorCode(e.payload);
  return new HttpError(code, `the handler returned error-code ${code.tag}`);
}

/**
 * The import object entry of `wasi:http/handler@0.3.0` for a component that imports it (the
 * `wasi:http/middleware` world): its `handle` sends through `send` as `client.send` does, e.g.
 * `handlerImport((req) => callHandler(next.exports['wasi:http/handler@0.3.0'].handle, req))`
 * to chain to another component, or the HTTP client to forward to the network.
 */
export function handlerImport(send: SendFn): { 'wasi:http/handler@0.3.0': { handle: GuestHandle } } {
  const handle = sendFrom(send);
  return { 'wasi:http/handler@0.3.0': { handle } };
}
