// The fetch bridge: a component's wasi:http handler as `(request: Request) => Promise<Response>`,
// for any fetch-style server or platform (Deno.serve, Bun.serve, Hono, a service worker) and
// for host code that wants to call a component with a web Request.

import type { FieldList, HostRequest, HostResponse } from '../host.ts';
import {
  type ComponentLike,
  describeError,
  failureStatus,
  failureText,
  HandlerPool,
  type HandlerPoolOptions,
  isDeadline,
  PoolClosedError,
} from './pool.ts';
import { concat } from '../bytes.ts';
import { type Prefetched, prefetch, soon } from './prefetch.ts';
import { deferred } from '../deferred.ts';

export interface FetchHandlerOptions extends HandlerPoolOptions {
  /**
   * The answer for a request that failed before the guest responded (default: a plain-text
   * 500, 504 past the deadline, 503 while closing; the failure is logged).
   */
  onError?: (error: unknown, request: Request) => Response | Promise<Response>;
}

export interface FetchHandler {
  (request: Request): Promise<Response>;
  /** The pool the requests run on. */
  readonly pool: HandlerPool;
  /** Takes no new requests, waits for those in flight, drops every instance. */
  close(): Promise<void>;
}

const latin1 = new TextDecoder('latin1');

function bytesOf(s: string): Uint8Array {
  // Header values are byte strings (each char one byte).
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A web Request as the host side of a wasi:http request (the body pulled as the guest reads). */
export function requestToHost(request: Request): HostRequest {
  const url = new URL(request.url);
  const headers: FieldList = [];
  request.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers.push([name, bytesOf(value)]);
  });
  for (const c of request.headers.getSetCookie?.() ?? []) headers.push(['set-cookie', bytesOf(c)]);
  const body = request.body;
  const trailers = deferred<FieldList | undefined>(true);
  if (body === null) trailers.resolve(undefined);
  const contents: AsyncIterable<Uint8Array> | undefined =
    body === null
      ? undefined
      : {
          [Symbol.asyncIterator]() {
            const reader = body.getReader();
            return {
              async next() {
                try {
                  const r = await reader.read();
                  if (r.done) {
                    trailers.resolve(undefined);
                    return { done: true, value: undefined };
                  }
                  return { done: false, value: r.value };
                } catch (e) {
                  trailers.reject(e);
                  throw e;
                }
              },
              async return() {
                await reader.cancel().catch(() => {});
                trailers.resolve(undefined);
                return { done: true, value: undefined };
              },
            };
          },
        };
  return {
    method: request.method,
    scheme: url.protocol.slice(0, -1),
    authority: url.host,
    pathWithQuery: url.pathname + url.search,
    headers,
    contents,
    trailers: trailers.promise,
  };
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The most bytes of a body the guest has at hand that are gathered into one Response body. */
const BUFFER_LIMIT = 64 * 1024;

/**
 * The host side of a wasi:http response as a web Response. A body the guest has at hand at
 * once (up to 64 KiB, then its end and trailers) becomes a complete body: the request is over
 * when this resolves. Otherwise the body is a ReadableStream that pulls from the guest as it is
 * read (cancelling it drops the guest's stream), and the request is over once it was read to
 * the end or cancelled. Web Responses have no trailers: they are awaited (the guest's work is
 * done) and dropped.
 */
export async function hostToResponse(response: HostResponse): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, latin1.decode(value));
  const status = response.status;
  const source = response.contents;
  if (source === undefined || NULL_BODY.has(status)) {
    if (source !== undefined) void source[Symbol.asyncIterator]().return?.();
    response.trailers.catch(() => {});
    return new Response(null, { status, headers });
  }
  const it = source[Symbol.asyncIterator]();
  let got: Prefetched;
  try {
    got = await prefetch(it, BUFFER_LIMIT);
    if (got.ended && (await soon(response.trailers)) !== undefined)
      return new Response(concat(got.chunks, got.bytes) as Uint8Array<ArrayBuffer>, { status, headers });
  } catch (e) {
    void Promise.resolve(it.return?.()).catch(() => {});
    throw e;
  }
  const early = got.chunks;
  let pending = got.pending;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const first = early.shift();
          if (first !== undefined) {
            controller.enqueue(first);
            return;
          }
          const r = pending === undefined ? { done: true as const, value: undefined } : await pending;
          pending = undefined;
          if (!r.done) {
            controller.enqueue(r.value);
            pending = it.next();
            return;
          }
          await response.trailers;
          controller.close();
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        pending?.catch(() => {});
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status, headers });
}

function errorResponse(status: number): Response {
  return new Response(failureText(status), {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * `(request: Request) => Promise<Response>` for a component's `wasi:http/handler@0.3.x`,
 * with the pool of `serve` (give it a HandlerPool to share one). Bodies stream both ways.
 */
export function toFetchHandler(
  component: ComponentLike | Uint8Array | ArrayBuffer | HandlerPool,
  options: FetchHandlerOptions = {},
): FetchHandler {
  const { onError, ...poolOptions } = options;
  const pool = component instanceof HandlerPool ? component : new HandlerPool(component, poolOptions);
  const handler = async (request: Request): Promise<Response> => {
    let response: HostResponse;
    try {
      response = await pool.handle(requestToHost(request));
    } catch (e) {
      if (onError) return onError(e, request);
      if (!(e instanceof PoolClosedError)) pool.log(`weft: ${request.method} ${request.url}: ${describeError(e)}`);
      return errorResponse(failureStatus(e));
    }
    try {
      return await hostToResponse(response);
    } catch (e) {
      // Headers or a status a web Response cannot carry, or the guest's body failed (or ran
      // past the deadline) before the Response could begin.
      pool.log(`weft: ${request.method} ${request.url}: ${describeError(e)}`);
      void Promise.resolve(response.contents?.[Symbol.asyncIterator]().return?.()).catch(() => {});
      return errorResponse(isDeadline(e) ? 504 : 500);
    }
  };
  return Object.assign(handler, { pool, close: () => pool.close() });
}
