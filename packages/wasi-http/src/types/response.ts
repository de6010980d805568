// wasi:http/types@0.3.0 `response`: a status code, headers (immutable once attached) and a
// body consumed once, by `consume-body` or by the host (`toHost`: the server writing out what
// a guest's handler returned).

import type { FieldList, HostBody, HostResponse } from '../host.ts';
import { Body, type BodyContents, type GuestTrailers, type ResultSource, type TrailersSource } from './body.ts';
import { invalid } from './errors.ts';
import { Fields } from './fields.ts';
import { contentLength } from './request.ts';

export class Response {
  #status = 200;
  readonly #headers: Fields;
  readonly #body: Body;

  /** Not for guests (the WIT has no constructor): use `Response.new` or `Response.fromHost`. */
  private constructor(headers: Fields, body: Body) {
    this.#headers = headers;
    this.#body = body;
  }

  /**
   * `response.new`: status 200, `headers` (immutable now), the body `contents` (none: empty)
   * and then `trailers`. The future resolves once whoever consumed the body got all of it (the
   * host writing it out, or a guest's `consume-body` reporting ok) and fails with the
   * error-code of how it did not.
   */
  static new(headers: Fields, contents: BodyContents | undefined, trailers: TrailersSource): [Response, Promise<void>] {
    if (!(headers instanceof Fields)) throw new TypeError('headers must be a Fields');
    // Read early: a handler's response goes to whoever consumes it (the host writing it out,
    // or a guest), and its guest need not block on its first write.
    const [body, transmitted] = Body.made(contents, trailers, true);
    return [new Response(headers.freeze(), body), transmitted];
  }

  getStatusCode(): number {
    return this.#status;
  }
  /** Fails unless 100..599. */
  setStatusCode(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw invalid();
    this.#status = status;
  }

  /** The headers, immutable. */
  getHeaders(): Fields {
    return this.#headers.view();
  }

  /**
   * `response.consume-body`: the body's stream and its trailers future; `res` reports how the
   * consumer did (for a response made by `new`, it settles that transmission future).
   */
  static consumeBody(response: Response, res: ResultSource): [BodyContents, GuestTrailers] {
    if (!(response instanceof Response)) throw new TypeError('not a Response');
    return response.#body.consume(res);
  }

  /** Dropped unconsumed: the body's source is released. */
  [Symbol.dispose](): void {
    this.#body.dispose();
  }

  /**
   * Host side: a response resource for a guest (what `client.send` returns). Its headers are
   * immutable and leave out forbidden fields; its body is pulled as the guest reads.
   * `onAbandon` runs if the guest drops the response or its body before the end.
   */
  static fromHost(response: HostResponse, onAbandon?: () => void): Response {
    const r = new Response(Fields.fromHost(response.headers), Body.host(response, onAbandon));
    r.#status = response.status;
    return r;
  }

  /**
   * Host side: the response to write out, consuming this resource's body (see Body.toHost).
   * `new`'s future resolves once the host read the whole body and `delivered` resolved; it
   * fails with `connection-terminated` if the host stopped reading, `HTTP-response-body-size`
   * if the body disagreed with its content-length, the trailers' error, or `delivered`'s.
   */
  toHost(delivered: PromiseLike<unknown> = Promise.resolve()): HostResponse {
    const { body, settle } = this.#body.toHost(contentLength(this.#headers), 'HTTP-response-body-size');
    settle(delivered);
    return new OutgoingResponse(this.#status, this.#headers.toHost(), body);
  }
}

/** A response as the host writes it out (Response.toHost): its body's parts read only when asked. */
class OutgoingResponse implements HostResponse {
  readonly status: number;
  readonly headers: FieldList;
  readonly #body: HostBody;

  constructor(status: number, headers: FieldList, body: HostBody) {
    this.status = status;
    this.headers = headers;
    this.#body = body;
  }

  get contents(): AsyncIterable<Uint8Array> | undefined {
    return this.#body.contents;
  }

  get trailers(): Promise<FieldList | undefined> {
    return this.#body.trailers;
  }

  whole(): ReturnType<NonNullable<HostResponse['whole']>> {
    return this.#body.whole?.();
  }
}
