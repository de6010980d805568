// The host's side of an HTTP message, independent of the WIT resources: what a client `send`
// function receives and returns, what a server hands a component's handler and gets back. The
// resources of wasi:http/types (types/) convert to and from these; the undici client, the
// server and the fetch bridge speak only these.

/** Header or trailer fields in order, names lower-cased, values raw bytes (as `field-value`). */
export type FieldList = [name: string, value: Uint8Array][];

/**
 * wasi:http `error-code`, as the guest sees it: `{ tag }` for cases without a payload,
 * `{ tag, val }` otherwise (e.g. `{ tag: 'internal-error', val: 'why' }`,
 * `{ tag: 'DNS-error', val: { rcode, infoCode } }`).
 */
export interface ErrorCode {
  tag: string;
  val?: unknown;
}

/** A failure with a wasi:http `error-code`: what send functions and bodies reject with. */
export class HttpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? code.tag);
    this.name = 'HttpError';
    this.code = code;
  }
  /** What the guest receives as the `err` of a `result<_, error-code>` (jco's `payload` convention). */
  get payload(): ErrorCode {
    return this.code;
  }
}

/** A body: its bytes (pulled as the consumer reads: backpressure) and how it ended. */
export interface HostBody {
  /** undefined: no body at all (as `contents: none`). Iterating it to the end consumes it. */
  contents: AsyncIterable<Uint8Array> | undefined;
  /** The trailers once the contents ended (undefined: none); rejects with an HttpError. */
  trailers: Promise<FieldList | undefined>;
  /**
   * Optional: the whole contents and the trailers, if they are known already (a guest wrote
   * them before its handler returned), consuming the body; else undefined, and the body is
   * read as usual. Lets a server write a short response out at once.
   */
  whole?(): { chunks: Uint8Array[]; bytes: number; trailers: FieldList | undefined } | undefined;
}

/** wasi:http `request-options`, in nanoseconds (undefined: no limit of its own). */
export interface RequestOptions {
  connectTimeout?: bigint;
  firstByteTimeout?: bigint;
  betweenBytesTimeout?: bigint;
}

export interface HostRequest extends HostBody {
  /** 'GET', 'POST', ... upper-case for the WIT's named cases; any token for `other`. */
  method: string;
  /** 'http' | 'https' | another scheme; undefined when the request has none. */
  scheme: string | undefined;
  authority: string | undefined;
  pathWithQuery: string | undefined;
  headers: FieldList;
  options?: RequestOptions;
}

export interface HostResponse extends HostBody {
  status: number;
  headers: FieldList;
}

/**
 * What `wasi:http/client.send` (and an imported `handler.handle`) calls. Rejects with an
 * HttpError; `signal` aborts when the guest gives up on the request.
 */
export type SendFn = (request: HostRequest, signal: AbortSignal) => Promise<HostResponse>;
