// wasi:http/types@0.3.0 `request-options`: transport timeouts as `duration`s (u64 nanoseconds).
// Mutable when made by its constructor or `clone`; immutable once attached to a request (the
// request keeps it, and `get-options` hands out immutable copies).

import { ComponentError } from '@weft/core';
import type { RequestOptions as HostRequestOptions } from '../host.ts';
import type { RequestOptionsError } from './errors.ts';

const MAX_U64 = (1n << 64n) - 1n;

function duration(d: bigint | number | undefined): bigint | undefined {
  if (d === undefined || d === null) return undefined;
  const v = typeof d === 'number' && Number.isSafeInteger(d) ? BigInt(d) : d;
  if (typeof v !== 'bigint' || v < 0n || v > MAX_U64)
    throw new ComponentError({ tag: 'other', val: 'not a duration in nanoseconds' } satisfies RequestOptionsError);
  return v;
}

export class RequestOptions {
  #connect: bigint | undefined = undefined;
  #firstByte: bigint | undefined = undefined;
  #betweenBytes: bigint | undefined = undefined;
  #immutable = false;

  getConnectTimeout(): bigint | undefined {
    return this.#connect;
  }
  setConnectTimeout(d: bigint | undefined): void {
    this.#mutable();
    this.#connect = duration(d);
  }
  getFirstByteTimeout(): bigint | undefined {
    return this.#firstByte;
  }
  setFirstByteTimeout(d: bigint | undefined): void {
    this.#mutable();
    this.#firstByte = duration(d);
  }
  getBetweenBytesTimeout(): bigint | undefined {
    return this.#betweenBytes;
  }
  setBetweenBytesTimeout(d: bigint | undefined): void {
    this.#mutable();
    this.#betweenBytes = duration(d);
  }

  /** A mutable copy. */
  clone(): RequestOptions {
    const o = new RequestOptions();
    o.#connect = this.#connect;
    o.#firstByte = this.#firstByte;
    o.#betweenBytes = this.#betweenBytes;
    return o;
  }

  /** Whether the setters fail with `immutable`. */
  get immutable(): boolean {
    return this.#immutable;
  }

  /** Host side: the timeouts that are set. */
  toHost(): HostRequestOptions {
    const o: HostRequestOptions = {};
    if (this.#connect !== undefined) o.connectTimeout = this.#connect;
    if (this.#firstByte !== undefined) o.firstByteTimeout = this.#firstByte;
    if (this.#betweenBytes !== undefined) o.betweenBytesTimeout = this.#betweenBytes;
    return o;
  }

  /** Host side: immutable options from a host's timeouts (as a forwarded request carries). */
  static fromHost(o: HostRequestOptions): RequestOptions {
    const r = new RequestOptions();
    r.#connect = o.connectTimeout;
    r.#firstByte = o.firstByteTimeout;
    r.#betweenBytes = o.betweenBytesTimeout;
    r.#immutable = true;
    return r;
  }

  /** @internal Makes these options immutable (they were attached to a request). */
  freeze(): this {
    this.#immutable = true;
    return this;
  }

  /** @internal An immutable copy (what `get-options` hands out). */
  view(): RequestOptions {
    return this.clone().freeze();
  }

  #mutable(): void {
    if (this.#immutable) throw new ComponentError({ tag: 'immutable' } satisfies RequestOptionsError);
  }
}
