// node:http ⇄ the host-side contract: an IncomingMessage becomes a HostRequest (its body pulled
// as the guest reads it), a HostResponse is written to a ServerResponse (streamed, with
// backpressure, trailers at the end of a chunked body).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldList, HostRequest, HostResponse } from '../host.ts';
import { HttpError } from '../host.ts';
import { concat } from '../bytes.ts';
import { prefetch, Turns } from './prefetch.ts';
import { deferred } from '../deferred.ts';

/** Header lines as Node received them (`rawHeaders`), names lower-cased, values as bytes. */
export function fieldsFromRaw(raw: readonly string[]): FieldList {
  const out: FieldList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), Buffer.from(raw[i + 1]!, 'latin1')]);
  return out;
}

/** Bytes as a latin1 string (each byte one character); a short value without a Buffer. */
const latin1 = (v: Uint8Array): string =>
  v.length <= 64
    ? String.fromCharCode.apply(null, v as unknown as number[])
    : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');

/** Fields as Node's flat raw header array (values as latin1, the bytes unchanged). */
export function rawFromFields(fields: FieldList): string[] {
  const out: string[] = [];
  for (const [name, value] of fields) out.push(name, latin1(value));
  return out;
}

const terminated = (why: string) => new HttpError({ tag: 'connection-terminated' }, why);

const NO_TRAILERS: Promise<FieldList | undefined> = Promise.resolve(undefined);
const NO_CONTENTS: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};

/** A HostRequest whose header bytes are made only if something asks (many guests never look). */
class NodeRequest implements HostRequest {
  #raw: readonly string[] | undefined;
  #headers: FieldList | undefined;
  method: string;
  scheme: string | undefined;
  authority: string | undefined;
  pathWithQuery: string | undefined;
  contents: AsyncIterable<Uint8Array> | undefined = NO_CONTENTS;
  trailers: Promise<FieldList | undefined> = NO_TRAILERS;
  constructor(
    method: string,
    scheme: string | undefined,
    authority: string | undefined,
    pathWithQuery: string | undefined,
    raw: readonly string[],
  ) {
    this.method = method;
    this.scheme = scheme;
    this.authority = authority;
    this.pathWithQuery = pathWithQuery;
    this.#raw = raw;
  }
  get headers(): FieldList {
    if (this.#headers === undefined) {
      this.#headers = fieldsFromRaw(this.#raw!);
      this.#raw = undefined;
    }
    return this.#headers;
  }
  set headers(v: FieldList) {
    this.#headers = v;
    this.#raw = undefined;
  }
}

/**
 * The host side of an incoming request. `scheme` is `https` on a TLS socket, else `http`;
 * `authority` the Host header (else the local address the client reached); `pathWithQuery`
 * the request target. The body is pulled from the socket as the guest reads it (and the
 * trailers known once it ended); a client that goes away mid-body makes the read fail with
 * `connection-terminated`. A request with neither Content-Length nor Transfer-Encoding has an
 * empty body (RFC 9112 6.3) and touches no stream at all.
 */
export function toHostRequest(req: IncomingMessage): HostRequest {
  const socket = req.socket as IncomingMessage['socket'] & { encrypted?: boolean };
  const scheme = socket?.encrypted ? 'https' : 'http';
  const h = req.headers;
  let authority = h.host;
  if (authority === undefined && socket?.localAddress !== undefined) {
    const a = socket.localAddress;
    authority = `${a.includes(':') ? `[${a}]` : a}:${socket.localPort}`;
  }
  const length = h['content-length'];
  const empty = h['transfer-encoding'] === undefined && (length === undefined || length === '0');
  const out = new NodeRequest(req.method ?? 'GET', scheme, authority, req.url, req.rawHeaders);
  if (empty) return out;
  const trailers = deferred<FieldList | undefined>(true);
  const contents: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      // Not req[Symbol.asyncIterator]: its return() destroys the socket, and the guest may stop
      // reading a body and still answer.
      const it = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
      return {
        async next() {
          let r: IteratorResult<Buffer>;
          try {
            r = await it.next();
          } catch (e) {
            const err = e instanceof HttpError ? e : terminated((e as Error)?.message ?? String(e));
            trailers.reject(err);
            throw err;
          }
          if (r.done) {
            const t = fieldsFromRaw(req.rawTrailers);
            trailers.resolve(t.length > 0 ? t : undefined);
          }
          return r;
        },
        async return() {
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
  out.contents = contents;
  out.trailers = trailers.promise;
  return out;
}

/** What writing a response found out, for the log. */
export interface WriteOutcome {
  /** The body was cut short (the client left, the guest failed, the deadline passed). */
  aborted?: unknown;
  /** Trailers arrived but could not be sent (a Content-Length body or HTTP/1.0). */
  droppedTrailers?: boolean;
}

const BUFFER_LIMIT = 64 * 1024;

export interface WriteOptions {
  /** A HEAD request: the headers only (the guest's body is dropped unread). */
  head?: boolean;
  /**
   * Called once the response was written out (no argument) or could not be (a
   * connection-terminated HttpError): what the guest's transmission future reports.
   */
  delivered?: (error?: HttpError) => void;
  /**
   * What tells a body at hand from one still coming, and when a response known whole is
   * written: a server shares one across its responses, and writes those at the end of the
   * event loop's turn, together. On loopback and small machines each write that finds the
   * client asleep pays for waking it; writes made back to back wake it once (issue 11: about
   * twice the requests per second for a small handler). Without it, such a response is written
   * at once.
   */
  turns?: Turns;
}

/** Whether the guest set a header named `name` (lower-case). */
const has = (fields: FieldList, name: string): boolean => {
  for (let i = 0; i < fields.length; i++) if (fields[i]![0] === name) return true;
  return false;
};

/** Tells the guest's transmission future, once the response is over, whether it was written out. */
function watchDelivery(res: ServerResponse, delivered: (error?: HttpError) => void): void {
  res.once('close', () => {
    if (res.writableFinished) delivered();
    else delivered(terminated('the connection closed before the response was written out'));
  });
}

/**
 * Writes `response` to `res`. A body the guest has at hand at once (up to 64 KiB) goes out in
 * one piece with a Content-Length; otherwise headers go first and the body follows as the
 * guest writes it, chunked unless the guest set Content-Length, with `res.write`'s
 * backpressure. Trailers are sent with `addTrailers` at the end of a chunked body (with a
 * `Trailer` header when they were known before the headers went). Rejects if the guest's body
 * fails; then the connection is destroyed (the client sees a cut-off message).
 */
export function writeHostResponse(
  res: ServerResponse,
  response: HostResponse,
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  // Not an async function: a whole response costs one Promise (its write at the turn's end).
  try {
    return writeResponse(res, response, options);
  } catch (e) {
    return Promise.reject(e);
  }
}

function writeResponse(res: ServerResponse, response: HostResponse, options: WriteOptions): Promise<WriteOutcome> {
  const raw = rawFromFields(response.headers);
  const source = response.contents;
  // A body (and trailers) known whole already leaves in one write; nothing to iterate.
  const whole = source !== undefined && !options.head ? response.whole?.() : undefined;
  if (whole === undefined || (whole.trailers !== undefined && whole.trailers.length > 0))
    return writeStreaming(res, response, raw, whole, options);
  if (options.delivered !== undefined) watchDelivery(res, options.delivered);
  if (!has(response.headers, 'content-length') && !has(response.headers, 'transfer-encoding'))
    raw.push('content-length', String(whole.bytes));
  const body = concat(whole.chunks, whole.bytes);
  if (options.turns === undefined) {
    res.writeHead(response.status, raw);
    res.end(body);
    return Promise.resolve({});
  }
  return options.turns.at(() => {
    // The client went away meanwhile: 'close' told the guest.
    if (!res.destroyed) {
      res.writeHead(response.status, raw);
      res.end(body);
    }
    return {};
  });
}

/** writeHostResponse of a body still coming, with trailers, or none. */
async function writeStreaming(
  res: ServerResponse,
  response: HostResponse,
  raw: string[],
  whole: ReturnType<NonNullable<HostResponse['whole']>>,
  options: WriteOptions,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = {};
  const hasLength = has(response.headers, 'content-length');
  const it = whole === undefined ? response.contents?.[Symbol.asyncIterator]() : undefined;
  const delivered = options.delivered;
  // Waits that end early when the client goes away (one listener, no growing race).
  const stops = new Set<() => void>();
  let closed = false;
  res.once('close', () => {
    if (res.writableFinished) {
      delivered?.();
      return;
    }
    closed = true;
    for (const stop of stops) stop();
    stops.clear();
    delivered?.(terminated('the connection closed before the response was written out'));
  });
  const unlessClosed = <T>(p: Promise<T>): Promise<T | undefined> => {
    if (closed) {
      p.catch(() => {});
      return Promise.resolve(undefined);
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const stop = () => resolve(undefined);
      stops.add(stop);
      p.then(
        (v) => {
          stops.delete(stop);
          resolve(v);
        },
        (e) => {
          stops.delete(stop);
          reject(e);
        },
      );
    });
  };
  try {
    if (whole !== undefined) {
      // Known whole, with trailers: a chunked body, then the trailers.
      const t = whole.trailers!;
      if (!hasLength) raw.push('trailer', [...new Set(t.map(([n]) => n))].join(', '));
      res.writeHead(response.status, raw);
      for (const chunk of whole.chunks) res.write(chunk);
      if (hasLength || res.req?.httpVersion === '1.0') outcome.droppedTrailers = true;
      else res.addTrailers(t.map(([n, v]): [string, string] => [n, latin1(v)]));
      res.end();
      return outcome;
    }
    if (it === undefined || options.head) {
      // No body to send (HEAD, or none at all): the guest's body is dropped unread.
      void Promise.resolve(it?.return?.()).catch(() => {});
      res.writeHead(response.status, raw);
      if (it === undefined) {
        const t = await unlessClosed(response.trailers);
        if (t?.length) outcome.droppedTrailers = true;
      }
      res.end();
      return outcome;
    }
    // What the guest has at hand now: a small body leaves in one write.
    const turns = options.turns ?? new Turns();
    const got = await prefetch(it, BUFFER_LIMIT, turns);
    const early = got.chunks;
    let pending = got.pending!;
    let ended = got.ended;
    if (ended) {
      const t = await turns.soon(response.trailers);
      if (t !== undefined && !t.value?.length) {
        // The whole message is known: one write, with a Content-Length.
        const whole = concat(early, got.bytes);
        if (!hasLength && !has(response.headers, 'transfer-encoding'))
          raw.push('content-length', String(whole.byteLength));
        if (options.turns !== undefined) {
          await options.turns.turn();
          if (res.destroyed) return outcome;
        }
        res.writeHead(response.status, raw);
        res.end(whole);
        return outcome;
      }
      if (t?.value?.length && !hasLength) raw.push('trailer', [...new Set(t.value.map(([n]) => n))].join(', '));
    }
    res.writeHead(response.status, raw);
    // The client sees the status and headers now, even if the first chunk is a while coming.
    if (early.length === 0) res.flushHeaders();
    for (const chunk of early) res.write(chunk);
    while (!ended && !closed) {
      const r = await unlessClosed(pending);
      if (r === undefined) break;
      if (r.done) {
        ended = true;
        break;
      }
      if (!res.write(r.value)) await unlessClosed(new Promise((resolve) => res.once('drain', resolve)));
      pending = it.next();
    }
    if (!ended) {
      // The client went away: stop the guest's body (its write sees the stream dropped).
      void Promise.resolve(it.return?.()).catch(() => {});
      outcome.aborted = terminated('the client closed the connection');
      return outcome;
    }
    const t = await unlessClosed(response.trailers);
    if (t?.length) {
      if (hasLength || res.req?.httpVersion === '1.0') outcome.droppedTrailers = true;
      else res.addTrailers(t.map(([n, v]): [string, string] => [n, latin1(v)]));
    }
    res.end();
    return outcome;
  } catch (e) {
    void Promise.resolve(it?.return?.()).catch(() => {});
    throw e;
  }
}
