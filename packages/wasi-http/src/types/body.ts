// The body of a request or response: its contents (`stream<u8>`) and its trailers
// (`future<result<option<trailers>, error-code>>`), from one of two places:
//
// - made by `request.new` / `response.new` (a guest's stream and future, or a host's iterable
//   and promise), with the transmission future `new` returned, which reports how the body went
//   to whoever consumed it;
// - from the host (an incoming request, a client's response): a HostBody, pulled only as its
//   consumer reads.
//
// Either is consumed once: by `consume-body` (handed to a guest as a stream and a future) or
// by a conversion to the host's side (toHost). Dropping an unconsumed body releases its source.

import { FutureReader, StreamReader, Trap } from '@weft/core';
import { type ErrorCode, type FieldList, type HostBody, HttpError } from '../host.ts';
import { codeError, errorCode, toErrorCode, toHttpError } from './errors.ts';
import { Fields } from './fields.ts';
import { type Deferred, deferred } from '../deferred.ts';

/** What `new` takes as contents: a guest's stream, or any byte source of the host's. */
export type BodyContents =
  | StreamReader<number>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Uint8Array;
/** What `new` takes as trailers: a guest's future, or a host's promise (of Fields, a FieldList or nothing). */
export type TrailersSource = FutureReader<unknown> | PromiseLike<unknown>;
/** What `consume-body` takes as `res`: a guest's future, or a host's promise. */
export type ResultSource = FutureReader<unknown> | PromiseLike<unknown> | undefined;
/** What a guest reads from `consume-body`'s trailers future. */
export type GuestTrailers = FutureReader<unknown> | Promise<Fields | undefined>;

/** How a body's contents ended for the one consuming them. */
type End = { how: 'done' } | { how: 'abandoned' } | { how: 'failed'; error: HttpError };
const DONE_END: End = { how: 'done' };
const ABANDONED: End = { how: 'abandoned' };
const TERMINATED: ErrorCode = { tag: 'connection-terminated' };
const EMPTY = new Uint8Array(0);
const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined }) as IteratorResult<Uint8Array>;

/** `p`, marked handled: whoever it reaches may ignore it without an unhandled rejection. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function ignore(v: unknown): void {
  try {
    const then = (v as PromiseLike<unknown> | undefined)?.then;
    if (typeof then === 'function') Promise.resolve(v).catch(() => {});
  } catch {
    // nothing to release
  }
}

function isTagged(v: unknown): v is { tag: 'ok' | 'err'; val: unknown } {
  if (v === null || typeof v !== 'object') return false;
  const tag = (v as { tag?: unknown }).tag;
  return tag === 'ok' || tag === 'err';
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  throw new HttpError({ tag: 'internal-error', val: 'a body chunk must be bytes' });
}

/** An async iterator over any byte source a body may have. */
function iteratorOf(src: BodyContents): AsyncIterator<unknown> {
  const o = src as unknown as Record<symbol | string, unknown>;
  if (typeof o[Symbol.asyncIterator] === 'function') return (o[Symbol.asyncIterator] as () => AsyncIterator<unknown>)();
  if (src instanceof Uint8Array) return [src][Symbol.iterator]() as unknown as AsyncIterator<unknown>;
  if (typeof o.getReader === 'function') {
    const r = (src as ReadableStream<Uint8Array>).getReader();
    return {
      next: () => r.read() as Promise<IteratorResult<unknown>>,
      return: async () => {
        await r.cancel();
        return DONE;
      },
    };
  }
  if (typeof o[Symbol.iterator] === 'function') {
    const it = (o[Symbol.iterator] as () => Iterator<unknown>)();
    return {
      next: async () => it.next(),
      return: async () => it.return?.() ?? DONE,
    };
  }
  throw new TypeError('a body must be a stream, an (async) iterable of bytes or a ReadableStream');
}

/** Stops a byte source nobody will read: a guest's writer sees its stream dropped. */
function release(src: BodyContents | undefined): void {
  if (src === undefined) return;
  try {
    if (src instanceof StreamReader) src.cancel();
    else ignore(iteratorOf(src).return?.());
  } catch {
    // a source that cannot be stopped has nothing to release
  }
}

function releaseTrailers(t: TrailersSource): void {
  if (t instanceof FutureReader) t.cancel();
}

/**
 * The trailers a `new` was given, once they are there: Fields (immutable now), or undefined for
 * none (also when a guest dropped its future without writing it). An `err` rejects with its
 * HttpError; a trap of the writing guest rejects with internal-error.
 */
async function trailerFields(t: TrailersSource): Promise<Fields | undefined> {
  let v: unknown;
  try {
    v = await t;
  } catch (e) {
    if (t instanceof FutureReader && !(e instanceof Trap)) return undefined;
    throw toHttpError(e);
  }
  if (isTagged(v)) {
    if (v.tag === 'err') throw new HttpError(errorCode(v.val));
    v = v.val;
  }
  if (v === undefined || v === null) return undefined;
  if (v instanceof Fields) return v.freeze();
  if (Array.isArray(v)) return Fields.fromHost(v as FieldList);
  throw new HttpError({ tag: 'internal-error', val: 'trailers must be a fields resource' });
}

/**
 * A guest's trailers future's value as a FieldList (undefined: none), as `trailerFields` makes
 * it, but at once; `false` for an `err` or anything but Fields (the slow path reports those).
 */
function trailerList(v: unknown): FieldList | undefined | false {
  if (isTagged(v)) {
    if (v.tag === 'err') return false;
    v = v.val;
  }
  if (v === undefined || v === null) return undefined;
  if (v instanceof Fields) return v.freeze().toHost();
  return false;
}

/** How `consume-body`'s `res` says the consumer did: undefined for ok (or no word at all). */
async function resultOf(res: ResultSource): Promise<ErrorCode | undefined> {
  if (res === undefined || res === null) return undefined;
  let v: unknown;
  try {
    v = await res;
  } catch (e) {
    if (res instanceof FutureReader && !(e instanceof Trap)) return undefined;
    return toErrorCode(e);
  }
  return isTagged(v) && v.tag === 'err' ? errorCode(v.val) : undefined;
}

/** The guest's side of a host's trailers: Fields once there, a ComponentError for an err. */
function guestTrailers(p: Promise<Fields | undefined>): Promise<Fields | undefined> {
  return p.catch((e: unknown) => {
    throw codeError(toErrorCode(e));
  });
}

interface Made {
  contents: BodyContents | undefined;
  trailers: TrailersSource;
  /** `new`'s transmission future: resolves when the body went through, rejects with a ComponentError. */
  transmit: Deferred<void>;
  /** Reads of a guest's stream begun at `new` (see Body.made's `early`). */
  ahead: ReadAhead | undefined;
  /** The guest's trailers future's value, once it arrived (read from `new` on, with `early`). */
  trailersGot: { value: unknown } | undefined;
}

/** A read that found the stream's end. */
const ENDED: Promise<undefined> = Promise.resolve(undefined);

/**
 * Reads of a guest's stream<u8> begun before anyone asked (Body.made's `early`): the first (up
 * to 64 KiB), then, once that brought bytes, a second, which tells whether the stream ended
 * there (unless the guest dropped the stream already: then it did). Whoever reads on gets their results first (`next`); a body that ended within them is
 * known at once (`whole`).
 */
class ReadAhead {
  readonly reader: StreamReader<number>;
  /** Early reads nobody took yet, oldest first. */
  readonly #queue: Promise<Uint8Array | undefined>[] = [];
  /** How many early reads were begun, and their results as they arrive, in order. */
  #begun = 0;
  readonly #got: (Uint8Array | undefined)[] = [];
  #failed = false;

  constructor(reader: StreamReader<number>) {
    this.reader = reader;
    this.#begin();
  }

  #begin(): void {
    const p = this.reader.read() as Promise<Uint8Array | undefined>;
    this.#begun++;
    this.#queue.push(p);
    // Registered before any reader's: the second read is queued before the first is taken.
    // (It also marks p handled: whoever takes it later sees its rejection.)
    p.then(this.#arrived, this.#fail);
  }

  readonly #arrived = (chunk: Uint8Array | undefined): void => {
    this.#got.push(chunk);
    if (this.#begun !== 1 || chunk === undefined) return;
    if (!this.reader.writerDropped) return this.#begin();
    // The guest wrote its body and dropped the stream already: the end a second read would
    // tell, known now.
    this.#begun++;
    this.#queue.push(ENDED);
    this.#got.push(undefined);
  };

  readonly #fail = (): void => {
    this.#failed = true;
  };

  /** The next read: an early one's, else a new one. */
  next(): Promise<Uint8Array | undefined> {
    return this.#queue.shift() ?? (this.reader.read() as Promise<Uint8Array | undefined>);
  }

  /** The whole stream if it ended within the early reads, all arrived and none taken; taking it. */
  whole(): { chunks: Uint8Array[]; bytes: number } | undefined {
    const got = this.#got;
    if (this.#failed || got.length !== this.#begun || this.#queue.length !== this.#begun) return undefined;
    if (got[got.length - 1] !== undefined) return undefined;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for (const c of got) {
      if (c === undefined || c.length === 0) continue;
      chunks.push(c);
      bytes += c.length;
    }
    this.#queue.length = 0;
    this.reader.cancel();
    return { chunks, bytes };
  }

  /** Its size if `whole` would give it (without taking it). */
  wholeSize(): number | undefined {
    const got = this.#got;
    if (this.#failed || got.length !== this.#begun || this.#queue.length !== this.#begun) return undefined;
    if (got[got.length - 1] !== undefined) return undefined;
    let bytes = 0;
    for (const c of got) bytes += c?.length ?? 0;
    return bytes;
  }

  /** An async iterator of the rest, as StreamReader's own (zero-length chunks skipped, the end dropped when iteration stops). */
  iterator(): AsyncIterator<Uint8Array> & AsyncIterable<Uint8Array> {
    const reader = this.reader;
    const step = (): Promise<IteratorResult<Uint8Array>> =>
      this.next().then((chunk) => {
        if (chunk === undefined) {
          reader.cancel();
          return DONE;
        }
        return chunk.length > 0 ? { done: false, value: chunk } : step();
      });
    const it = {
      next: step,
      return: () => {
        reader.cancel();
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}

/** A body's whole contents and trailers, known at once (HostBody's `whole`). */
export interface WholeBody {
  chunks: Uint8Array[];
  bytes: number;
  trailers: FieldList | undefined;
}

/** The host's side of a body made by `new`, and how to settle its transmission. */
export interface OutgoingBody {
  body: HostBody;
  /** Reads how the body was delivered once `delivered` settled (see Body.toHost). */
  settle(delivered: PromiseLike<unknown>): void;
}

export class Body {
  #made: Made | undefined;
  #host: HostBody | undefined;
  #onAbandon: (() => void) | undefined;
  #state: 'ready' | 'taken' | 'dropped' = 'ready';

  private constructor(made: Made | undefined, host: HostBody | undefined, onAbandon?: () => void) {
    this.#made = made;
    this.#host = host;
    this.#onAbandon = onAbandon;
  }

  /**
   * A body `new` made, and its transmission future. With `early`, a guest's stream and
   * trailers future are read from now on (one read of the stream, up to 64 KiB, and the
   * future): a guest that writes its body and trailers before it next waits (a handler that
   * returns its response, then writes "hello") sees both writes complete at once, instead of
   * blocking until the host reads and being called back for each.
   */
  static made(contents: BodyContents | undefined, trailers: TrailersSource, early = false): [Body, Promise<void>] {
    const transmit = deferred<void>(true);
    const made: Made = {
      contents: contents ?? undefined,
      trailers,
      transmit,
      ahead: undefined,
      trailersGot: undefined,
    };
    if (early && contents instanceof StreamReader && contents.elemType?.kind === 'u8') {
      made.ahead = new ReadAhead(contents as StreamReader<number>);
      if (trailers instanceof FutureReader)
        trailers.then(
          (value) => {
            made.trailersGot = { value };
          },
          () => {},
        );
    }
    return [new Body(made, undefined), transmit.promise];
  }

  /** A body from the host. `onAbandon` runs if a guest drops it before its end. */
  static host(body: HostBody, onAbandon?: () => void): Body {
    ignore(body.trailers);
    return new Body(undefined, body, onAbandon);
  }

  /** Whether it was consumed or dropped already. */
  get used(): boolean {
    return this.#state !== 'ready';
  }

  #take(): void {
    if (this.#state !== 'ready')
      throw new TypeError(`the body was already ${this.#state === 'taken' ? 'consumed' : 'dropped'}`);
    this.#state = 'taken';
  }

  /**
   * `consume-body`: the contents as a stream for a guest (pulled as it reads) and the future of
   * the trailers, which settles after the contents ended. For a body `new` made, `res` settles
   * its transmission future; for a host's, `res` is read and dropped.
   */
  consume(res: ResultSource): [BodyContents, GuestTrailers] {
    this.#take();
    const made = this.#made;
    if (made !== undefined) {
      resultOf(res).then((code) =>
        code === undefined ? made.transmit.resolve() : made.transmit.reject(codeError(code)),
      );
      // A future or stream whose read began already cannot be handed on as it is.
      const trailers =
        made.trailers instanceof FutureReader && made.ahead === undefined
          ? made.trailers
          : guestTrailers(trailerFields(made.trailers));
      if (made.ahead !== undefined) return [made.ahead.iterator(), trailers];
      return [made.contents ?? [], trailers];
    }
    ignore(resultOf(res));
    return this.#incoming(this.#host!);
  }

  #incoming(host: HostBody): [BodyContents, Promise<Fields | undefined>] {
    const end = deferred<End>();
    let ended = false;
    const finish = (e: End) => {
      if (ended) return;
      ended = true;
      end.resolve(e);
      if (e.how === 'abandoned') this.#onAbandon?.();
    };
    const trailers = guestTrailers(
      end.promise.then(async (e) => {
        if (e.how === 'failed') throw e.error;
        if (e.how === 'abandoned') return undefined;
        // An empty trailer section is no trailer section (on the wire they are the same).
        const list = await host.trailers;
        return list === undefined || list.length === 0 ? undefined : Fields.fromHost(list);
      }),
    );
    const src = host.contents;
    if (src === undefined) {
      finish(DONE_END);
      return [[], trailers];
    }
    let it: AsyncIterator<unknown> | undefined;
    const iter = () => (it ??= iteratorOf(src));
    const contents: AsyncIterable<Uint8Array> & { readSync?: (max: number) => Uint8Array | null } = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (ended) return DONE;
          let r: IteratorResult<unknown>;
          try {
            r = await iter().next();
            if (!r.done) r = { done: false, value: toBytes(r.value) };
          } catch (e) {
            // The guest sees its stream end; the trailers future carries the error.
            finish({ how: 'failed', error: toHttpError(e) });
            return DONE;
          }
          if (r.done) finish(DONE_END);
          return r as IteratorResult<Uint8Array>;
        },
        return: async () => {
          if (!ended) {
            try {
              ignore(iter().return?.());
            } catch {
              // the source had nothing to stop
            }
            finish(ABANDONED);
          }
          return DONE;
        },
      }),
    };
    // A source with bytes at hand (a @weft/wasi-io source) answers guest reads at once.
    const readSync = (src as { readSync?: (max: number) => Uint8Array | null }).readSync;
    if (typeof readSync === 'function') {
      contents.readSync = (max) => {
        if (ended) return null;
        let got: Uint8Array | null;
        try {
          got = readSync.call(src, max);
        } catch (e) {
          finish({ how: 'failed', error: toHttpError(e) });
          return null;
        }
        if (got === null) finish(DONE_END);
        return got;
      };
    }
    return [contents, trailers];
  }

  /**
   * The host's side of the body (to send a request, or write a response out). A body from the
   * host is handed on as it is. A body `new` made is read only as the host iterates it: its
   * contents are checked against `contentLength` (too many bytes, or too few at the end, fail
   * with `sizeError`), and at their end the guest's trailers are read, so an `err` there makes
   * the contents throw too (the host aborts the message rather than end it cleanly).
   *
   * `settle(delivered)` then settles `new`'s transmission future: ok once the host consumed the
   * whole body and `delivered` resolved; otherwise the body's own failure, else `delivered`'s
   * rejection as an error-code, else `connection-terminated` (the host stopped reading).
   */
  toHost(contentLength: bigint | undefined, sizeError: ErrorCode['tag']): OutgoingBody {
    this.#take();
    const made = this.#made;
    if (made === undefined) return { body: this.#host!, settle: () => {} };
    const body = new MadeBody(made, contentLength, sizeError);
    return { body, settle: (delivered) => body.settle(delivered) };
  }

  /** The resource was dropped: release what nobody will read now. */
  dispose(): void {
    if (this.#state !== 'ready') return;
    this.#state = 'dropped';
    const made = this.#made;
    if (made !== undefined) {
      release(made.contents);
      releaseTrailers(made.trailers);
      made.transmit.reject(
        codeError({ tag: 'internal-error', val: 'the request or response was dropped before its body was sent' }),
      );
      return;
    }
    release(this.#host!.contents);
    this.#onAbandon?.();
  }
}

/**
 * The host's side of a body `new` made (Body.toHost): read as the host iterates it, or taken
 * whole. State in fields rather than closures: a server makes one per response.
 */
class MadeBody implements HostBody {
  readonly contents: AsyncIterable<Uint8Array> | undefined;
  readonly #made: Made;
  readonly #contentLength: bigint | undefined;
  readonly #sizeError: ErrorCode['tag'];
  /** How the contents ended for the host; undefined while they go on. */
  #end: End | undefined;
  /** Made only when someone waits for the end before it came. */
  #endWait: Deferred<End> | undefined;
  #fields: Promise<FieldList | undefined> | undefined;
  /** The trailers `whole` took: #fields made of them only if someone asks. */
  #wholeTrailers: { list: FieldList | undefined } | undefined;
  #trailers: Promise<FieldList | undefined> | undefined;
  #it: AsyncIterator<unknown> | undefined;
  #sent = 0n;

  constructor(made: Made, contentLength: bigint | undefined, sizeError: ErrorCode['tag']) {
    this.#made = made;
    this.#contentLength = contentLength;
    this.#sizeError = sizeError;
    this.contents = made.contents === undefined ? undefined : this;
    if (made.contents === undefined)
      this.#readTrailers().then(
        () => this.#finish(DONE_END),
        (e: unknown) => this.#finish({ how: 'failed', error: toHttpError(e) }),
      );
  }

  #finish(e: End): void {
    if (this.#end !== undefined) return;
    this.#end = e;
    this.#endWait?.resolve(e);
    if (e.how !== 'done') releaseTrailers(this.#made.trailers);
  }

  /** The end, once it came. */
  #ended(): Promise<End> {
    if (this.#end !== undefined) return Promise.resolve(this.#end);
    this.#endWait ??= deferred<End>();
    return this.#endWait.promise;
  }

  #readTrailers(): Promise<FieldList | undefined> {
    if (this.#fields !== undefined) return this.#fields;
    const taken = this.#wholeTrailers;
    this.#fields =
      taken !== undefined
        ? Promise.resolve(taken.list)
        : quiet(trailerFields(this.#made.trailers).then((f) => f?.toHost()));
    return this.#fields;
  }

  /** The trailers, after the contents ended well; the contents' error if they did not. */
  get trailers(): Promise<FieldList | undefined> {
    return (this.#trailers ??= quiet(
      this.#ended().then((e) =>
        e.how === 'done' ? this.#readTrailers() : e.how === 'failed' ? Promise.reject(e.error) : undefined,
      ),
    ));
  }

  #iter(): AsyncIterator<unknown> {
    const made = this.#made;
    return (this.#it ??= made.ahead !== undefined ? made.ahead.iterator() : iteratorOf(made.contents!));
  }

  #close(): void {
    try {
      const src = this.#made.contents;
      if (this.#it === undefined && src instanceof StreamReader) src.cancel();
      else ignore(this.#iter().return?.());
    } catch {
      // nothing left to stop
    }
  }

  #fail(error: HttpError): HttpError {
    this.#close();
    this.#finish({ how: 'failed', error });
    return error;
  }

  /** The host stopped reading before the end. */
  #stop(): void {
    if (this.#end !== undefined) return;
    if (this.#made.contents !== undefined) this.#close();
    this.#finish(ABANDONED);
  }

  async #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#end !== undefined) {
      const e = this.#end;
      if (e.how === 'failed') throw e.error;
      return DONE;
    }
    let r: IteratorResult<unknown>;
    let chunk: Uint8Array;
    try {
      r = await this.#iter().next();
      chunk = r.done ? EMPTY : toBytes(r.value);
    } catch (e) {
      throw this.#fail(toHttpError(e));
    }
    if (this.#end !== undefined) return DONE;
    const limit = this.#contentLength;
    if (!r.done) {
      this.#sent += BigInt(chunk.length);
      if (limit !== undefined && this.#sent > limit)
        throw this.#fail(new HttpError({ tag: this.#sizeError, val: this.#sent }));
      return { done: false, value: chunk };
    }
    if (limit !== undefined && this.#sent !== limit)
      throw this.#fail(new HttpError({ tag: this.#sizeError, val: this.#sent }));
    try {
      await this.#readTrailers();
    } catch (e) {
      throw this.#fail(toHttpError(e));
    }
    this.#finish(DONE_END);
    return DONE;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => {
        this.#stop();
        return DONE;
      },
    };
  }

  /** The contents and trailers if a guest's body came out whole and right already; taking them. */
  whole(): WholeBody | undefined {
    const made = this.#made;
    const ahead = made.ahead;
    // Only before anyone iterated.
    if (ahead === undefined || this.#end !== undefined || this.#it !== undefined || made.trailersGot === undefined)
      return undefined;
    const list = trailerList(made.trailersGot.value);
    const size = ahead.wholeSize();
    if (list === false || size === undefined) return undefined;
    if (this.#contentLength !== undefined && BigInt(size) !== this.#contentLength) return undefined;
    const got = ahead.whole()!;
    this.#wholeTrailers = { list };
    this.#finish(DONE_END);
    return { chunks: got.chunks, bytes: got.bytes, trailers: list };
  }

  /**
   * Settles `new`'s transmission future once `delivered` settled: ok if the host consumed the
   * whole body and it was delivered; else the body's own failure, else `delivered`'s rejection
   * as an error-code, else `connection-terminated` (the host stopped reading).
   */
  settle(delivered: PromiseLike<unknown>): void {
    const transmit = this.#made.transmit;
    Promise.resolve(delivered).then(
      () => {
        const e = this.#end;
        if (e?.how === 'done') transmit.resolve();
        else if (e !== undefined) transmit.reject(codeError(e.how === 'failed' ? e.error.code : TERMINATED));
        else
          this.#ended().then((e) => {
            if (e.how === 'done') transmit.resolve();
            else transmit.reject(codeError(e.how === 'failed' ? e.error.code : TERMINATED));
          });
      },
      (why: unknown) => {
        // Nothing more goes anywhere: release what the host did not read.
        this.#stop();
        this.#ended().then((e) => transmit.reject(codeError(e.how === 'failed' ? e.error.code : toErrorCode(why))));
      },
    );
  }
}
