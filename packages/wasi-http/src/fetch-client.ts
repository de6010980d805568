// `wasi:http/client.send` over the platform's `fetch` (browsers, workers, Deno; Node's too): the
// default client of the browser entry. The request is checked as the undici client checks it
// (client/request.ts); what fetch cannot do is said below and in the README.
//
// - Request bodies are gathered before sending (up to `maxRequestBody` bytes), because browsers
//   stream a request body only over HTTP/2 or later (Chromium) or not at all; `streamRequestBody`
//   streams instead (`duplex: 'half'`). Request trailers are awaited and dropped (fetch has none).
// - Redirects are not followed (`redirect: 'manual'`): the guest sees the 3xx, as with Wasmtime.
//   A browser hides a redirect response from script (an "opaque redirect"): that is an error
//   naming the option; `redirect: 'follow'` lets fetch follow it.
// - The response body is pulled as the guest reads (backpressure through the ReadableStream);
//   responses have no trailers.

import { toHttpError } from './client/errors.ts';
import { targetOf } from './client/request.ts';
import { type FieldList, type HostRequest, type HostResponse, HttpError, type SendFn } from './host.ts';
import { concat } from './bytes.ts';

export interface FetchClientOptions {
  /** The fetch to call. Default: `globalThis.fetch` (looked up per request). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The scheme of a request that names none. Default 'https' (as Wasmtime). */
  defaultScheme?: 'http' | 'https';
  /** 'manual' (default): the guest gets the redirect response; 'follow': fetch follows redirects. */
  redirect?: 'manual' | 'follow';
  /** Most request body bytes gathered before sending (default 64 MiB); more is `HTTP-request-body-size`. */
  maxRequestBody?: number;
  /** Stream the request body (`duplex: 'half'`) instead of gathering it. Default false. */
  streamRequestBody?: boolean;
  /** More RequestInit fields for every request (`credentials`, `mode`, `cache`, `referrerPolicy`, ...). */
  init?: Omit<RequestInit, 'method' | 'headers' | 'body' | 'signal' | 'redirect'>;
}

const MAX_TIMER = 2 ** 31 - 1;
/** Headers fetch sets itself from the body (a browser refuses to take them from script). */
const FROM_BODY = new Set(['content-length']);

/** wasi:http nanoseconds as timer milliseconds, rounded up (0 fires at once). */
function msOf(ns: bigint | undefined): number | undefined {
  if (ns === undefined) return undefined;
  if (ns <= 0n) return 0;
  const ms = (ns + 999_999n) / 1_000_000n;
  return ms > BigInt(MAX_TIMER) ? MAX_TIMER : Number(ms);
}

function bodySize(total: number, why: string): HttpError {
  return new HttpError({ tag: 'HTTP-request-body-size', val: BigInt(total) }, `HTTP-request-body-size: ${why}`);
}

/** The latin1 bytes of a header value as fetch gives it (a ByteString: code units below 256). */
function bytesOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** All of a request body, checked against its declared length and the limit. */
async function gather(contents: AsyncIterable<Uint8Array>, declared: number | undefined, max: number) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of contents) {
    if (chunk.byteLength === 0) continue;
    total += chunk.byteLength;
    if (declared !== undefined && total > declared) throw bodySize(total, `more than content-length ${declared}`);
    if (total > max) throw bodySize(total, `the body is over the client's limit of ${max} bytes`);
    chunks.push(chunk.slice());
  }
  if (declared !== undefined && total !== declared)
    throw bodySize(total, `${total} bytes, not content-length ${declared}`);
  // Each chunk was copied above: one alone is a buffer of its own.
  return concat(chunks, total) as Uint8Array<ArrayBuffer>;
}

/** A request body as a ReadableStream pulled by fetch, checked against its declared length. */
function streamOf(contents: AsyncIterable<Uint8Array>, declared: number | undefined): ReadableStream<Uint8Array> {
  const it = contents[Symbol.asyncIterator]();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) {
        if (declared !== undefined && total !== declared)
          throw bodySize(total, `${total} bytes, not content-length ${declared}`);
        controller.close();
        return;
      }
      total += r.value.byteLength;
      if (declared !== undefined && total > declared) throw bodySize(total, `more than content-length ${declared}`);
      controller.enqueue(r.value.slice());
    },
    async cancel() {
      await it.return?.();
    },
  });
}

/** The response's fields in order (set-cookie one field per cookie, where script may see it). */
function fieldsOf(headers: Headers): FieldList {
  const out: FieldList = [];
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out.push([name, bytesOf(value)]);
  });
  for (const c of headers.getSetCookie?.() ?? []) out.push(['set-cookie', bytesOf(c)]);
  return out;
}

/**
 * The response body, pulled as the consumer reads: each read waits at most `betweenMs` (then the
 * body fails with `connection-read-timeout`); a failed read is `HTTP-response-incomplete` (or
 * what the failure says). Returning early cancels the body.
 */
function contentsOf(body: ReadableStream<Uint8Array>, betweenMs: number | undefined, ended: (err?: HttpError) => void) {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const reader = body.getReader();
      let done = false;
      const finish = (err?: HttpError) => {
        if (done) return;
        done = true;
        ended(err);
      };
      return {
        async next() {
          if (done) return { done: true, value: undefined };
          let timer: ReturnType<typeof setTimeout> | undefined;
          try {
            const read = reader.read();
            const r =
              betweenMs === undefined
                ? await read
                : await Promise.race([
                    read,
                    new Promise<never>((_, reject) => {
                      timer = setTimeout(() => reject(new HttpError({ tag: 'connection-read-timeout' })), betweenMs);
                    }),
                  ]);
            if (r.done) {
              finish();
              return { done: true, value: undefined };
            }
            return { done: false, value: r.value };
          } catch (e) {
            const err = e instanceof HttpError ? e : toHttpError(e, 'response');
            reader.cancel(err).catch(() => {});
            finish(err);
            throw err;
          } finally {
            if (timer !== undefined) clearTimeout(timer);
          }
        },
        async return() {
          await reader.cancel().catch(() => {});
          finish();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** A SendFn over `fetch`. */
export function fetchClient(options: FetchClientOptions = {}): SendFn {
  const defaultScheme = options.defaultScheme ?? 'https';
  const redirect = options.redirect ?? 'manual';
  const maxBody = options.maxRequestBody ?? 64 * 1024 * 1024;
  return async (request: HostRequest, signal: AbortSignal): Promise<HostResponse> => {
    const target = targetOf(request, defaultScheme);
    const headers = new Headers();
    for (let i = 0; i < target.headers.length; i += 2)
      if (!FROM_BODY.has(target.headers[i]!)) headers.append(target.headers[i]!, target.headers[i + 1]!);
    const noBody = target.method.toUpperCase() === 'GET' || target.method.toUpperCase() === 'HEAD';
    // fetch sends no trailers: they are dropped (a failure among them is marked handled).
    request.trailers.catch(() => {});
    let body: BodyInit | undefined;
    let duplex: 'half' | undefined;
    if (request.contents !== undefined) {
      if (options.streamRequestBody && !noBody) {
        body = streamOf(request.contents, target.contentLength);
        duplex = 'half';
      } else {
        const bytes = await gather(request.contents, target.contentLength, maxBody);
        if (bytes.byteLength > 0 && noBody)
          throw new HttpError(
            { tag: 'HTTP-protocol-error' },
            `HTTP-protocol-error: fetch cannot send a body with ${target.method}`,
          );
        if (!noBody) body = bytes;
      }
    }
    // connect-timeout and first-byte-timeout both run until the response head (fetch does not
    // tell the connection apart from the exchange); between-bytes-timeout runs per body read.
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let timedOut: HttpError | undefined;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const arm = (ns: bigint | undefined, tag: string) => {
      const ms = msOf(ns);
      if (ms === undefined) return;
      timers.push(
        setTimeout(() => {
          timedOut ??= new HttpError({ tag }, `${tag}: no response within ${ms} ms`);
          abort.abort(timedOut);
        }, ms),
      );
    };
    arm(request.options?.connectTimeout, 'connection-timeout');
    arm(request.options?.firstByteTimeout, 'connection-read-timeout');
    const doFetch = options.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function')
      throw new HttpError({ tag: 'internal-error', val: 'no fetch' }, 'internal-error: there is no fetch here');
    let response: Response;
    try {
      const init: RequestInit & { duplex?: 'half' } = {
        ...options.init,
        method: target.method,
        headers,
        body,
        redirect,
        signal: abort.signal,
      };
      if (duplex !== undefined) init.duplex = duplex;
      response = await doFetch(target.origin + target.path, init);
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      if (timedOut !== undefined) throw timedOut;
      if (e instanceof HttpError) throw e;
      throw toHttpError(e, 'request');
    } finally {
      for (const t of timers) clearTimeout(t);
    }
    if (response.type === 'opaqueredirect') {
      signal.removeEventListener('abort', onAbort);
      throw new HttpError(
        { tag: 'internal-error', val: 'redirect hidden by the browser' },
        "internal-error: the browser hides a redirect response from script; give the fetch client redirect: 'follow' to follow it",
      );
    }
    let ended!: (err?: HttpError) => void;
    const trailers = new Promise<FieldList | undefined>((resolve, reject) => {
      ended = (err) => {
        signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(undefined);
        else reject(err);
      };
    });
    trailers.catch(() => {});
    const between = msOf(request.options?.betweenBytesTimeout);
    const contents = response.body === null ? undefined : contentsOf(response.body, between, ended);
    if (contents === undefined) ended();
    return { status: response.status, headers: fieldsOf(response.headers), contents, trailers };
  };
}
