// The default `wasi:http/client.send`: outgoing HTTP/1.1 through one undici Agent per client
// (a keep-alive connection pool per origin), HTTP and HTTPS.
//
// Bodies stream both ways with backpressure: undici pulls the request body from the
// HostRequest's contents only as fast as the socket drains, and fills the response body only as
// fast as its consumer reads (it pauses the socket once `highWaterMark` bytes wait unread).

import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { type FieldList, type HostRequest, type HostResponse, HttpError, type SendFn } from '../host.ts';
import { toHttpError } from './errors.ts';
import { fieldStrings, latin1Bytes, type Target, targetOf } from './request.ts';
import { register, type TrailerSlot, trailerConnector } from './trailers.ts';
import { type Deferred, deferred } from '../deferred.ts';

export interface ClientOptions {
  /**
   * Send through this undici dispatcher instead of an Agent of the client's own (the pool,
   * TLS and timeout options below then do not apply, and request trailers are not sent: see
   * the README). The client does not close it.
   */
  dispatcher?: Dispatcher;
  /** TLS options for HTTPS connections (`ca`, `cert`, `key`, `rejectUnauthorized`, ...). */
  tls?: ConnectionOptions;
  /** Milliseconds to connect (DNS, TCP and TLS) when a request sets no connect-timeout. Default 10 000. */
  connectTimeout?: number;
  /** Milliseconds to wait for a response head when a request sets no first-byte-timeout. Default 300 000. */
  headersTimeout?: number;
  /** Milliseconds between response body bytes when a request sets no between-bytes-timeout. Default 300 000. */
  bodyTimeout?: number;
  /** Milliseconds an idle keep-alive connection is kept. Default undici's (4 000). */
  keepAliveTimeout?: number;
  /** Most connections per origin. Default: no limit. */
  connections?: number;
  /** The scheme of a request that names none. Default 'https' (as Wasmtime). */
  defaultScheme?: 'http' | 'https';
  /** Response bytes undici buffers ahead of the reader before pausing the socket. Default 65 536. */
  highWaterMark?: number;
}

/** A SendFn over its own connection pool, which `close` and `destroy` end. */
export interface HttpClient extends SendFn {
  readonly dispatcher: Dispatcher;
  /** Lets requests in flight finish, then closes every connection. */
  close(): Promise<void>;
  /** Closes every connection now, failing requests in flight. */
  destroy(): Promise<void>;
}

/** The longest timer Node keeps (longer ones would fire at once). */
const MAX_TIMEOUT = 2 ** 31 - 1;
/**
 * How long the Agent's connector itself lets a connection attempt run. A request's own
 * connect-timeout (or the client's connectTimeout) is enforced per request, below this.
 */
const CONNECT_CEILING = 600_000;

/** wasi:http's nanoseconds as undici's milliseconds: rounded up, 0 (expire at once) kept apart from undici's 0 (never). */
export function nsToMs(ns: bigint | undefined): number | undefined {
  if (ns === undefined) return undefined;
  if (ns <= 0n) return 1;
  const ms = (ns + 999_999n) / 1_000_000n;
  return ms > BigInt(MAX_TIMEOUT) ? MAX_TIMEOUT : Number(ms);
}

/** What the interceptor tells a send about its request; travels in the dispatch options. */
interface Exchange {
  /** undici starts writing the request on a connected socket. */
  onStart(): void;
  /** The response's trailer fields, raw, once it ended. */
  rawTrailers: unknown;
}
const kExchange = Symbol('weft.http.exchange');

/** Wraps each handler to see when its request starts and to keep the raw trailers. */
const observe: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const ex = (opts as { [kExchange]?: Exchange })[kExchange];
  if (ex === undefined) return dispatch(opts, handler);
  return dispatch(opts, {
    onRequestStart(controller, context) {
      ex.onStart();
      return handler.onRequestStart?.(controller, context);
    },
    onResponseStart(controller, status, headers, statusMessage) {
      return handler.onResponseStart?.(controller, status, headers, statusMessage);
    },
    onResponseData(controller, chunk) {
      return handler.onResponseData?.(controller, chunk);
    },
    onResponseEnd(controller, trailers) {
      ex.rawTrailers = controller.rawTrailers ?? trailers;
      return handler.onResponseEnd?.(controller, trailers);
    },
    onResponseError(controller, error) {
      return handler.onResponseError?.(controller, error);
    },
  });
};

/** Raw fields (`[name, value, ...]` of Buffers or latin1 strings, or undici's parsed object) as a FieldList. */
function fieldList(raw: unknown): FieldList {
  const out: FieldList = [];
  const bytes = (v: unknown): Uint8Array =>
    v instanceof Uint8Array ? new Uint8Array(v) : latin1Bytes(typeof v === 'string' ? v : String(v));
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = typeof raw[i] === 'string' ? raw[i] : Buffer.from(raw[i]).toString('latin1');
      out.push([name.toLowerCase(), bytes(raw[i + 1])]);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw)) {
      for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), bytes(v)]);
    }
  }
  return out;
}

/** Fields that may not be trailers (RFC 9110 §6.5.1: framing, routing, the connection's own). */
const NOT_TRAILERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'trailer']);

const STOP = Symbol('stop');

/**
 * Ends when the exchange is over, so that a body source waiting on the guest stops. One waiter
 * at a time (the body source's), so a long body does not pile up reactions.
 */
class Over {
  done = false;
  #wake: (() => void) | undefined;
  end(): void {
    if (this.done) return;
    this.done = true;
    this.#wake?.();
  }
  race<T>(p: Promise<T>): Promise<T | typeof STOP> {
    if (this.done) return Promise.resolve(STOP);
    return new Promise((resolve, reject) => {
      this.#wake = () => resolve(STOP);
      p.then(
        (v) => {
          this.#wake = undefined;
          resolve(v);
        },
        (e) => {
          this.#wake = undefined;
          reject(e);
        },
      );
    });
  }
}

function bodySize(total: number): HttpError {
  return new HttpError(
    { tag: 'HTTP-request-body-size', val: BigInt(total) },
    `HTTP-request-body-size: the body was ${total} bytes, not its content-length`,
  );
}

/**
 * The request body as undici pulls it: each chunk of the HostRequest's contents (checked
 * against a declared content-length), then its trailers into `slot` for the last chunk.
 */
async function* requestBody(
  request: HostRequest,
  contents: AsyncIterable<Uint8Array>,
  target: Target,
  slot: TrailerSlot,
  over: Over,
): AsyncGenerator<Uint8Array, void, undefined> {
  const it = contents[Symbol.asyncIterator]();
  const declared = target.contentLength;
  let total = 0;
  let ended = false;
  // The exchange ended first (failed, aborted, or the response came and went): undici has
  // already given up on this request. Fail rather than end the body, so that nothing could take
  // a cut-off body for a whole one.
  const stopped = () => new HttpError({ tag: 'internal-error', val: 'request aborted' });
  try {
    for (;;) {
      const r = await over.race(it.next());
      if (r === STOP) throw stopped();
      if (r.done) break;
      const chunk = r.value;
      if (chunk.byteLength === 0) continue;
      total += chunk.byteLength;
      if (declared !== undefined && total > declared) throw bodySize(total);
      // A view of its own, so that the connector can tell this body's writes from any other's.
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      register(view, slot);
      yield view;
    }
    ended = true;
    if (declared !== undefined && total !== declared) throw bodySize(total);
    const trailers = await over.race(request.trailers);
    if (trailers === STOP) throw stopped();
    if (trailers === undefined) return;
    const lines = fieldStrings(trailers, 'trailer')
      .filter(([name]) => !NOT_TRAILERS.has(name))
      .map(([name, value]) => `${name}: ${value}\r\n`);
    // Only a chunked body (no content-length, at least one byte) has a trailer section.
    if (lines.length > 0 && declared === undefined && total > 0) slot.fields = lines.join('');
  } finally {
    if (!ended) it.return?.()?.catch(() => {});
  }
}

/** The response body as the consumer reads it; settles `trailers` and ends the exchange when it ends. */
function responseBody(
  body: Readable,
  ex: Exchange,
  trailers: Deferred<FieldList | undefined>,
  over: Over,
): AsyncIterable<Uint8Array> {
  let taken = false;
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      if (taken) throw new TypeError('a response body can be read once');
      taken = true;
      const it = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      let closed = false;
      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          if (closed) return { done: true, value: undefined };
          try {
            const r = await it.next();
            if (r.done) {
              closed = true;
              over.end();
              const fields = fieldList(ex.rawTrailers);
              trailers.resolve(fields.length > 0 ? fields : undefined);
            }
            return r;
          } catch (err) {
            closed = true;
            over.end();
            const e = toHttpError(err, 'response');
            trailers.reject(e);
            throw e;
          }
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          if (!closed) {
            closed = true;
            over.end();
            trailers.reject(
              new HttpError({ tag: 'internal-error', val: 'the response body was dropped before its end' }),
            );
            await it.return?.();
          }
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function aborted(reason: unknown): HttpError {
  if (reason instanceof HttpError) return reason;
  return new HttpError({ tag: 'internal-error', val: 'request aborted' }, 'internal-error: request aborted');
}

/** A client: a SendFn with a connection pool of its own (or the dispatcher it is given). */
export function createClient(options: ClientOptions = {}): HttpClient {
  const defaultScheme = options.defaultScheme ?? 'https';
  const connectTimeout = options.connectTimeout ?? 10_000;
  const highWaterMark = options.highWaterMark ?? 65_536;
  let base: Dispatcher;
  if (options.dispatcher !== undefined) {
    base = options.dispatcher;
  } else {
    const connect = buildConnector({
      ...options.tls,
      allowH2: false,
      timeout: Math.max(CONNECT_CEILING, connectTimeout),
    } as buildConnector.BuildOptions);
    base = new Agent({
      connect: trailerConnector(connect),
      allowH2: false,
      headersTimeout: options.headersTimeout ?? 300_000,
      bodyTimeout: options.bodyTimeout ?? 300_000,
      ...(options.keepAliveTimeout !== undefined ? { keepAliveTimeout: options.keepAliveTimeout } : {}),
      ...(options.connections !== undefined ? { connections: options.connections } : {}),
    });
  }
  const dispatcher = base.compose(observe);

  const send = async (request: HostRequest, signal: AbortSignal): Promise<HostResponse> => {
    request.trailers.catch(() => {});
    if (signal.aborted) throw aborted(signal.reason);
    const target = targetOf(request, defaultScheme);
    const connectMs = nsToMs(request.options?.connectTimeout) ?? connectTimeout;
    const headersTimeout = nsToMs(request.options?.firstByteTimeout);
    const bodyTimeout = nsToMs(request.options?.betweenBytesTimeout);

    const over = new Over();
    const controller = new AbortController();
    const onAbort = () => {
      controller.abort(aborted(signal.reason));
      over.end();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // The connect timeout runs until undici starts writing the request on a connection.
    let connectTimer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
      connectTimer = undefined;
      controller.abort(
        new HttpError(
          { tag: 'connection-timeout' },
          `connection-timeout: not connected to ${target.origin} in ${connectMs} ms`,
        ),
      );
    }, connectMs);
    const stopConnectTimer = () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      connectTimer = undefined;
    };
    const ex: Exchange = { onStart: stopConnectTimer, rawTrailers: undefined };
    const end = () => {
      stopConnectTimer();
      over.end();
      signal.removeEventListener('abort', onAbort);
    };

    const slot: TrailerSlot = { fields: undefined, sent: false };
    const body =
      request.contents === undefined ? undefined : requestBody(request, request.contents, target, slot, over);

    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: target.method as Dispatcher.HttpMethod,
        headers: target.headers,
        body: body ?? null,
        signal: controller.signal,
        responseHeaders: 'raw',
        highWaterMark,
        ...(headersTimeout !== undefined ? { headersTimeout } : {}),
        ...(bodyTimeout !== undefined ? { bodyTimeout } : {}),
        [kExchange]: ex,
      } as Dispatcher.RequestOptions);
    } catch (err) {
      end();
      throw toHttpError(err, 'request');
    }
    stopConnectTimer();

    const trailers = deferred<FieldList | undefined>(true);
    const contents = responseBody(res.body as unknown as Readable, ex, trailers, over);
    // The exchange ends with the response body (read, failed or dropped), or an abort.
    trailers.promise.then(end, end);
    return {
      status: res.statusCode,
      headers: fieldList(res.headers),
      contents,
      trailers: trailers.promise,
    };
  };

  return Object.assign(send, {
    dispatcher,
    close: () => (options.dispatcher === undefined ? base.close() : Promise.resolve()),
    destroy: () => (options.dispatcher === undefined ? base.destroy() : Promise.resolve()),
  });
}

let shared: HttpClient | undefined;

/** The SendFn `createHttp` uses unless given one: a client made on first use, with default options. */
export const defaultSend: SendFn = (request, signal) => {
  shared ??= createClient();
  return shared(request, signal);
};
