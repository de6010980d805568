// wasi:http/types@0.3.0 `request`: method, target, headers (immutable once attached), options
// (immutable once attached) and a body consumed once, by `consume-body` or by the host
// (`toHost`: client.send, or the server writing out what a guest's handler made).

import type { HostRequest } from '../host.ts';
import { Body, type BodyContents, type GuestTrailers, type ResultSource, type TrailersSource } from './body.ts';
import { invalid } from './errors.ts';
import { Fields } from './fields.ts';
import { RequestOptions } from './options.ts';
import {
  isAuthority,
  type Method,
  methodName,
  methodOf,
  normalMethod,
  normalPathWithQuery,
  normalScheme,
  type Scheme,
  schemeName,
  schemeOf,
} from './uri.ts';

/** The first `content-length` value, if there is one (its syntax was checked when it was set). */
export function contentLength(headers: Fields): bigint | undefined {
  const v = headers.get('content-length')[0];
  if (v === undefined) return undefined;
  const s = new TextDecoder().decode(v);
  return /^\d+$/.test(s) ? BigInt(s) : undefined;
}

function fieldsArg(headers: Fields): Fields {
  if (!(headers instanceof Fields)) throw new TypeError('headers must be a Fields');
  return headers.freeze();
}

export class Request {
  #method: Method = { tag: 'get' };
  #scheme: Scheme | undefined = undefined;
  #authority: string | undefined = undefined;
  #pathWithQuery: string | undefined = undefined;
  #headers: Fields | undefined;
  /** An incoming request's headers, made into Fields only once asked for (many handlers never look). */
  #hostHeaders: HostRequest | undefined;
  readonly #options: RequestOptions | undefined;
  readonly #body: Body;

  /** Not for guests (the WIT has no constructor): use `Request.new` or `Request.fromHost`. */
  private constructor(headers: Fields | undefined, options: RequestOptions | undefined, body: Body) {
    this.#headers = headers;
    this.#options = options;
    this.#body = body;
  }

  /**
   * `request.new`: a GET with no scheme, authority or path. `headers` and `options` become
   * immutable. The body is `contents` (none: empty) and then `trailers`. The future resolves
   * once whoever consumed the body got all of it (the host sending it, or a guest's
   * `consume-body` reporting ok), and fails with the error-code of how it did not.
   */
  static new(
    headers: Fields,
    contents: BodyContents | undefined,
    trailers: TrailersSource,
    options?: RequestOptions,
  ): [Request, Promise<void>] {
    const h = fieldsArg(headers);
    if (options !== undefined && options !== null && !(options instanceof RequestOptions))
      throw new TypeError('options must be a RequestOptions');
    const [body, transmitted] = Body.made(contents, trailers);
    return [new Request(h, options?.freeze(), body), transmitted];
  }

  getMethod(): Method {
    return { ...this.#method };
  }
  /** Fails if `other` is not a method token. */
  setMethod(method: Method): void {
    const m = normalMethod(method);
    if (m === undefined) throw invalid();
    this.#method = m;
  }

  getPathWithQuery(): string | undefined {
    return this.#pathWithQuery;
  }
  /** Fails for characters no request target may hold; '' is '/'. */
  setPathWithQuery(pathWithQuery: string | undefined): void {
    if (pathWithQuery === undefined || pathWithQuery === null) {
      this.#pathWithQuery = undefined;
      return;
    }
    const p = normalPathWithQuery(pathWithQuery);
    if (p === undefined) throw invalid();
    this.#pathWithQuery = p;
  }

  getScheme(): Scheme | undefined {
    return this.#scheme === undefined ? undefined : { ...this.#scheme };
  }
  /** Fails if `other` is not a URI scheme; `other('http')` is HTTP. */
  setScheme(scheme: Scheme | undefined): void {
    if (scheme === undefined || scheme === null) {
      this.#scheme = undefined;
      return;
    }
    const s = normalScheme(scheme);
    if (s === undefined) throw invalid();
    this.#scheme = s;
  }

  getAuthority(): string | undefined {
    return this.#authority;
  }
  /** Fails if not an RFC 3986 authority (`[userinfo@]host[:port]`). */
  setAuthority(authority: string | undefined): void {
    if (authority === undefined || authority === null) {
      this.#authority = undefined;
      return;
    }
    if (!isAuthority(authority)) throw invalid();
    this.#authority = authority;
  }

  /** An immutable copy of the options `new` was given. */
  getOptions(): RequestOptions | undefined {
    return this.#options?.view();
  }

  #fields(): Fields {
    if (this.#headers === undefined) {
      this.#headers = Fields.fromHost(this.#hostHeaders!.headers);
      this.#hostHeaders = undefined;
    }
    return this.#headers;
  }

  /** The headers, immutable. */
  getHeaders(): Fields {
    return this.#fields().view();
  }

  /**
   * `request.consume-body`: the body's stream and its trailers future; `res` reports how the
   * consumer did (for a request made by `new`, it settles that transmission future).
   */
  static consumeBody(request: Request, res: ResultSource): [BodyContents, GuestTrailers] {
    if (!(request instanceof Request)) throw new TypeError('not a Request');
    return request.#body.consume(res);
  }

  /** Dropped unconsumed: the body's source is released (a guest writer sees its stream dropped). */
  [Symbol.dispose](): void {
    this.#body.dispose();
  }

  /**
   * Host side: a request resource for a guest (an incoming request to `handle`). Its headers
   * are immutable and leave out forbidden fields (`host`, `connection`, ...); its body is
   * pulled from `request.contents` as the guest reads. `onAbandon` runs if the guest drops
   * the body before its end.
   */
  static fromHost(request: HostRequest, onAbandon?: () => void): Request {
    const r = new Request(
      undefined,
      request.options === undefined ? undefined : RequestOptions.fromHost(request.options),
      Body.host(request, onAbandon),
    );
    r.#hostHeaders = request;
    r.#method = methodOf(request.method);
    r.#scheme = request.scheme === undefined ? undefined : schemeOf(request.scheme);
    r.#authority = request.authority;
    r.#pathWithQuery = request.pathWithQuery;
    return r;
  }

  /**
   * Host side: the request to send, consuming this resource's body (see Body.toHost). `new`'s
   * future resolves once the body was consumed and `delivered` (the send) resolved, and fails
   * with the send's error, a `HTTP-request-body-size` if the body disagreed with its
   * content-length, or the trailers' error.
   */
  toHost(delivered: PromiseLike<unknown> = Promise.resolve()): HostRequest {
    const { body, settle } = this.#body.toHost(contentLength(this.#fields()), 'HTTP-request-body-size');
    settle(delivered);
    const out: HostRequest = {
      method: methodName(this.#method),
      scheme: this.#scheme === undefined ? undefined : schemeName(this.#scheme),
      authority: this.#authority,
      pathWithQuery: this.#pathWithQuery,
      headers: this.#fields().toHost(),
      contents: body.contents,
      trailers: body.trailers,
    };
    if (this.#options !== undefined) out.options = this.#options.toHost();
    return out;
  }
}
