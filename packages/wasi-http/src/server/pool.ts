// The instance pool behind `serve` and the fetch bridge: which instance of a component's
// `wasi:http/handler@0.3.x` a request goes to, when instances are made and dropped, and the
// deadline each request's guest work runs under.
//
// As `wasmtime serve` (its ProxyHandler), an instance takes requests concurrently: the
// wasi:http/service world lets the host call `handle` again before earlier calls finished
// (the core queues calls while the guest applies backpressure). An instance takes at most
// `concurrencyPerInstance` requests at once and `requestsPerInstance` in its life, and is
// dropped after `idleTimeout` without work. One that served its `requestsPerInstance` is
// replaced; where the core can reset it (a component compiled `resettable`, as the pool
// compiles bytes), it is reset to the state instantiation left it in instead, which is the
// same to the guest and costs a memory copy rather than an instantiation. A trap, or any
// failure that is not the guest's own `error-code`, poisons the instance: it takes no more
// requests and is dropped.
//
// Deadlines. A request's guest work (the `handle` call, its response body and trailers) has
// `requestTimeout` ms. Past it the request fails with a DeadlineError, its instance takes no
// more requests and is dropped once its other requests are done, and its code traps
// "interrupted" if it runs again (the instantiation's `signal`). Instances are made with the
// core's time slicing (`timeSlice`), so even a guest in a tight loop pauses every few ms and
// the host's timer fires on time, while other instances keep serving; an overdue guest stops
// when its instance is dropped. Where that cannot work (no JSPI), the core's own deadline
// stops a tight loop: each instance's deadline is moved (`setDeadline`, through the core's
// watchdog worker) to its oldest request's start plus `requestTimeout` plus a little grace
// (the host timer normally wins), and removed while it is idle, so an instance takes
// requests all its life.

import {
  type CompileOptions,
  type Component,
  type Instance,
  type InstantiateOptions,
  isSpinning,
  isTimeSliced,
  resetInstance,
  setDeadline,
  shortName,
} from '@weft/core';
import { handlerError, handlerResponse, startHandle } from '../handler.ts';
import { type FieldList, type HostRequest, type HostResponse, HttpError } from '../host.ts';
import { createHttpImports, type HttpOptions } from '../http-imports.ts';

/**
 * Calls a guest's exported `handle` with a host request (the package's `callHandler`);
 * `delivered` settles once the response was written out (ok) or could not be (why not).
 */
export type CallHandler = (
  handle: (...args: any[]) => any,
  request: HostRequest,
  delivered?: PromiseLike<unknown>,
) => Promise<HostResponse>;

/** What a pool needs of a component: `Component` (or its bytes, compiled by the pool). */
export type ComponentLike = Pick<Component, 'instantiate'>;

export interface HandlerPoolOptions {
  /**
   * The imports of each new instance besides wasi:http (WASI, your own interfaces); called once
   * per instance with its number (from 0) and a signal aborted when the pool drops that
   * instance (close what its host opened for it then: sockets, files). wasi:http entries given
   * here replace the pool's own.
   */
  imports?: (instanceId: number, dropped: AbortSignal) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Options of each instance's wasi:http imports (`createHttp(http)`): `send`, where the
   * guest's outgoing requests go (default through `@weft/wasi-http`: this package's undici
   * client; through the web entry `@weft/wasi-http/web`, which loads no Node-only code,
   * `noClient`: pass your own, e.g. over `fetch`).
   */
  http?: HttpOptions;
  /** Passed to every `instantiate` (`fuel`, `maxHandles`, `hostImportsMaySuspend`, ...). */
  instantiate?: Omit<InstantiateOptions, 'timeout' | 'signal'>;
  /**
   * Used when the pool is given bytes: `interruptible` is added when there is a deadline, and
   * `resettable` unless this says `false`.
   */
  compile?: CompileOptions;
  /**
   * Milliseconds of guest work per request: the `handle` call, the response body and its
   * trailers (default 60 000; 0: no deadline). Past it the request fails with a DeadlineError
   * (a server answers 504) and its instance is dropped. Stopping a guest in a tight loop needs
   * a component compiled with `{ interruptible: true }` (the pool compiles bytes so).
   */
  requestTimeout?: number;
  /** Most live instances (default 64). Requests wait for one when all are busy. */
  maxInstances?: number;
  /** Requests an instance takes in its life (default 128, as `wasmtime serve` for WASIp3). */
  requestsPerInstance?: number;
  /** Requests an instance takes at once (default 16, as `wasmtime serve` for WASIp3). */
  concurrencyPerInstance?: number;
  /** Requests in flight across the pool (default 1000, as `wasmtime serve`); the rest wait. */
  maxConcurrent?: number;
  /** Milliseconds an idle instance is kept for reuse (default 1000, as `wasmtime serve`). */
  idleTimeout?: number;
  /** Where failures are reported (default: a line on stderr). */
  log?: (line: string) => void;
  /** How `handle` is called (default: this package's `callHandler`). */
  callHandler?: CallHandler;
}

export const POOL_DEFAULTS = {
  requestTimeout: 60_000,
  maxInstances: 64,
  requestsPerInstance: 128,
  concurrencyPerInstance: 16,
  maxConcurrent: 1000,
  idleTimeout: 1000,
} as const;

/** How much later than a request's deadline the core's own deadline stops its instance (ms). */
const CORE_GRACE_MS = 50;

/** A request's guest work ran past its deadline (a server answers 504). */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
  constructor(ms?: number) {
    super(`the guest did not finish the request within its deadline${ms ? ` (${ms} ms)` : ''}`);
  }
}

/** The pool is closing: it takes no new requests (a server answers 503). */
export class PoolClosedError extends Error {
  override name = 'PoolClosedError';
  constructor() {
    super('the server is shutting down');
  }
}

export interface PoolStats {
  /** Live instances (instantiating, busy or idle). */
  instances: number;
  /** Instances made so far. */
  created: number;
  /** Instances dropped after a trap, a failure or a deadline. */
  poisoned: number;
  /**
   * Times an instance that had served its `requestsPerInstance` was reset to the state its
   * instantiation left it in (`resetInstance`) instead of being replaced by a new one.
   */
  reset: number;
  /** Requests whose guest work is in progress. */
  active: number;
  /** Requests waiting for an instance. */
  queued: number;
  /** Requests handed to an instance so far. */
  dispatched: number;
  /** The most requests one instance had at once so far. */
  peakConcurrency: number;
}

const HANDLER = /^wasi:http\/handler@0\.3\./;

/** Why an instance's signal aborted: the pool dropped it. */
const DROPPED = new Error('the instance was dropped');

function defaultLog(line: string): void {
  (globalThis as { process?: { stderr?: { write(s: string): void } } }).process?.stderr?.write(`${line}\n`);
}

function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (
    !(
      typeof v === 'number' &&
      (Number.isInteger(v) || v === Number.POSITIVE_INFINITY) &&
      (v > 0 || (allowZero && v === 0))
    )
  )
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, not ${String(v)}`);
  return v;
}

/** Whether `e` means the deadline ran out (ours, or the core's trap). */
export function isDeadline(e: unknown): boolean {
  if (e instanceof DeadlineError) return true;
  return e instanceof Error && e.name === 'Trap' && /deadline exceeded|interrupted/.test(e.message);
}

class Slot {
  instance: Instance | undefined;
  handle: ((...args: any[]) => any) | undefined;
  ready!: Promise<void>;
  /** Requests in flight on it. */
  active = 0;
  /** Requests it has been given. */
  given = 0;
  /** Takes no more requests (used up, timed out, poisoned or the pool is closing). */
  retired = false;
  /** Retired only for having been given its share of requests: once idle, it may be reset. */
  spent = false;
  dead = false;
  /** When it last went idle (Date.now()), while it is. */
  idleAt: number | undefined;
  readonly controller = new AbortController();
  readonly id: number;
  /** When each request in flight on it began, oldest first (its core deadline follows the oldest). */
  readonly starts = new Map<Exchange, number>();
  /** Its core deadline can be moved (an interruptible instance): see `HandlerPool.#arm`. */
  coreDeadline = false;
  /**
   * Its guest runs time-sliced, so the host's timer ends a request on time even in a tight
   * loop, and an overdue guest is stopped when its instance is dropped: no core deadline to
   * move per request.
   */
  sliced = false;
  constructor(id: number) {
    this.id = id;
  }
  accepts(): boolean {
    return !this.retired && !this.dead;
  }
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(e: unknown): void;
}

type Deferred = (e: unknown) => void;

/**
 * Runs requests on a pool of instances of one component (see the file comment). `handle`
 * resolves with the guest's response; its body and trailers are the guest's, guarded by the
 * same deadline, and the request counts as in flight until they are done: read the body to
 * its end (or stop iterating it) and await the trailers.
 */
export class HandlerPool {
  readonly #component: ComponentLike | Promise<ComponentLike>;
  readonly #opts: Required<
    Pick<
      HandlerPoolOptions,
      | 'requestTimeout'
      | 'maxInstances'
      | 'requestsPerInstance'
      | 'concurrencyPerInstance'
      | 'maxConcurrent'
      | 'idleTimeout'
      | 'log'
    >
  > &
    HandlerPoolOptions;
  readonly #deadlines: Deadlines | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Waiter[] = [];
  /** Requests in flight. */
  readonly #exchanges = new Set<Exchange>();
  #active = 0;
  #nextId = 0;
  #poisoned = 0;
  #reset = 0;
  /** Used-up instances the core would not reset, while none has been. */
  #resetRefused = 0;
  #keepResetState = true;
  #dispatched = 0;
  #peak = 0;
  #closing = false;
  #drained: (() => void) | undefined;
  /** The one idle sweep (see #armIdle) and when it is due. */
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #idleAt = 0;
  /** The component was compiled without interruption: deadlines are kept on the host side only. */
  #hostDeadlineOnly = false;
  /** Time slicing failed for want of run-time wasm compilation: instances are made without it. */
  #noTimeSlice = false;
  /** An embedder's own way to call `handle` (else callHandler's steps, in #call). */
  readonly #callHandler: CallHandler | undefined;

  constructor(component: ComponentLike | Uint8Array | ArrayBuffer, options: HandlerPoolOptions = {}) {
    const requestTimeout = positive('requestTimeout', options.requestTimeout, POOL_DEFAULTS.requestTimeout, true);
    this.#opts = {
      ...options,
      requestTimeout,
      maxInstances: positive('maxInstances', options.maxInstances, POOL_DEFAULTS.maxInstances),
      requestsPerInstance: positive(
        'requestsPerInstance',
        options.requestsPerInstance,
        POOL_DEFAULTS.requestsPerInstance,
      ),
      concurrencyPerInstance: positive(
        'concurrencyPerInstance',
        options.concurrencyPerInstance,
        POOL_DEFAULTS.concurrencyPerInstance,
      ),
      maxConcurrent: positive('maxConcurrent', options.maxConcurrent, POOL_DEFAULTS.maxConcurrent),
      idleTimeout: positive('idleTimeout', options.idleTimeout, POOL_DEFAULTS.idleTimeout, true),
      log: options.log ?? defaultLog,
    };
    this.#deadlines = requestTimeout > 0 ? new Deadlines(requestTimeout) : undefined;
    this.#callHandler = options.callHandler;
    if (component instanceof Uint8Array || component instanceof ArrayBuffer) {
      const bytes = component;
      this.#component = import('@weft/core').then(({ Component }) =>
        Component.compile(bytes, {
          ...options.compile,
          interruptible: options.compile?.interruptible || requestTimeout > 0,
          resettable: options.compile?.resettable ?? true,
        }),
      );
      // Compile errors surface from start() or the first request.
      (this.#component as Promise<unknown>).catch(() => {});
    } else this.#component = component;
  }

  /** The deadline per request in ms (0: none). */
  get requestTimeout(): number {
    return this.#opts.requestTimeout;
  }

  /**
   * Makes one instance now, so that a component that cannot be instantiated (a missing import,
   * no wasi:http/handler export) fails here rather than on the first request. It stays in the
   * pool for the first requests.
   */
  async start(): Promise<void> {
    if (this.#closing) throw new PoolClosedError();
    if (this.#slots.some((s) => !s.dead)) return;
    const slot = this.#spawn();
    await slot.ready;
    this.#settle(slot);
  }

  /**
   * Runs one request: resolves with the guest's response (see the class comment).
   * `delivered`: a promise that resolves once the response was written out, or rejects (an
   * HttpError) with why it was not; the guest sees it as the response's transmission future.
   */
  handle(request: HostRequest, delivered?: PromiseLike<unknown>): Promise<HostResponse> {
    // An instance with room and ready now (the common case, without an async step), else a
    // place in the queue, or one still being made.
    const slot = !this.#closing && this.#queue.length === 0 ? this.#assign() : undefined;
    if (slot === undefined || slot.handle === undefined) return this.#handleLater(slot, request, delivered);
    return this.#call(new Exchange(this, slot, this.#deadlines), slot, request, delivered);
  }

  async #handleLater(
    assigned: Slot | undefined,
    request: HostRequest,
    delivered: PromiseLike<unknown> | undefined,
  ): Promise<HostResponse> {
    const slot = assigned ?? (await this.#wait());
    const ex = new Exchange(this, slot, this.#deadlines);
    if (slot.handle === undefined) {
      try {
        await ex.guard(slot.ready);
      } catch (e) {
        throw ex.fail(e);
      }
    }
    return this.#call(ex, slot, request, delivered);
  }

  /** The guest's `handle` on `slot`, under `ex`'s deadline: its response guarded the same way. */
  #call(ex: Exchange, slot: Slot, request: HostRequest, delivered: PromiseLike<unknown> | undefined) {
    const custom = this.#callHandler;
    if (custom !== undefined) {
      let call: Promise<HostResponse>;
      try {
        call = custom(slot.handle!, request, delivered);
      } catch (e) {
        return Promise.reject(ex.fail(e));
      }
      // One hop: the guard's own settling wraps the response (or fails the request).
      return ex.guard(
        call,
        (response) => ex.wrap(response),
        (e: unknown) => ex.fail(e),
      );
    }
    // callHandler's steps, its conversions in the guard's own settling (one hop fewer).
    return ex.guard(
      startHandle(slot.handle!, request),
      (response) => {
        let host: HostResponse;
        try {
          host = handlerResponse(response, delivered);
        } catch (e) {
          throw ex.fail(e);
        }
        return ex.wrap(host);
      },
      (e: unknown) => ex.fail(handlerError(e)),
    );
  }

  stats(): PoolStats {
    return {
      instances: this.#slots.length,
      created: this.#nextId,
      poisoned: this.#poisoned,
      reset: this.#reset,
      active: this.#active,
      queued: this.#queue.length,
      dispatched: this.#dispatched,
      peakConcurrency: this.#peak,
    };
  }

  /**
   * Takes no new requests (queued ones fail with PoolClosedError), waits for those in flight,
   * then drops every instance. `force` drops them at once (in-flight requests fail).
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    this.#closing = true;
    for (const w of this.#queue.splice(0)) w.reject(new PoolClosedError());
    for (const s of this.#slots) s.retired = true;
    if (options.force) {
      // Requests in flight fail now, whatever their guest is waiting on; a graceful close
      // waiting for them is done too.
      for (const ex of [...this.#exchanges]) ex.abort(new PoolClosedError());
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    } else if (this.#active > 0) await new Promise<void>((r) => (this.#drained = r));
    for (const s of [...this.#slots]) this.#destroy(s);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  // ---- internals (Exchange calls these) ----

  /** A request began on `slot` (Exchange's constructor). */
  began(ex: Exchange, slot: Slot): void {
    this.#exchanges.add(ex);
    if (slot.sliced) return;
    slot.starts.set(ex, Date.now());
    // The core deadline follows the oldest request: only a first one moves it.
    if (slot.starts.size === 1) this.#arm(slot);
  }

  /** A request on `slot` is over (guest work done, failed or timed out). */
  release(slot: Slot, ex: Exchange): void {
    this.#exchanges.delete(ex);
    // The core deadline of an instance without slicing follows its oldest request.
    if (!slot.sliced && slot.starts.keys().next().value === ex) {
      slot.starts.delete(ex);
      this.#arm(slot);
    } else slot.starts.delete(ex);
    slot.active--;
    this.#active--;
    this.#settle(slot);
    this.#pump();
    if (this.#active === 0 && this.#drained) {
      const d = this.#drained;
      this.#drained = undefined;
      d();
    }
  }

  /** The instance must take no more requests (timed out); dropped once idle. */
  retire(slot: Slot): void {
    slot.retired = true;
    slot.spent = false;
  }

  /** The instance failed (a trap): drop it now; requests still on it fail. */
  poison(slot: Slot, e: unknown): void {
    if (slot.dead) return;
    this.#poisoned++;
    markDropped(e, slot.id);
    this.#destroy(slot);
  }

  log(line: string): void {
    this.#opts.log(line);
  }

  /** A place in the queue: resolves with an instance once one has room. */
  #wait(): Promise<Slot> {
    if (this.#closing) return Promise.reject(new PoolClosedError());
    return new Promise((resolve, reject) => this.#queue.push({ resolve, reject }));
  }

  /** An instance with room for one more request (made if need be and allowed), or none. */
  #assign(): Slot | undefined {
    if (this.#active >= this.#opts.maxConcurrent) return undefined;
    let best: Slot | undefined;
    // Fill the busiest instance that has room: fewer instances, more reuse. One whose guest is
    // in a long stretch of code (a loop time slicing keeps pausing) could not start it.
    for (const s of this.#slots)
      if (
        s.accepts() &&
        s.active < this.#opts.concurrencyPerInstance &&
        (!best || s.active > best.active) &&
        !(s.instance !== undefined && isSpinning(s.instance))
      )
        best = s;
    if (!best) {
      // Idle retired instances are dropped lazily (their timer may not have run yet).
      for (const s of [...this.#slots]) if (s.active === 0 && !s.accepts()) this.#destroy(s);
      if (this.#slots.length >= this.#opts.maxInstances) return undefined;
      best = this.#spawn();
    }
    best.active++;
    best.given++;
    this.#active++;
    this.#dispatched++;
    if (best.active > this.#peak) this.#peak = best.active;
    if (best.given >= this.#opts.requestsPerInstance) best.retired = best.spent = true;
    best.idleAt = undefined;
    return best;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#assign();
      if (!slot) return;
      this.#queue.shift()!.resolve(slot);
    }
  }

  #spawn(): Slot {
    const id = this.#nextId++;
    const slot = new Slot(id);
    this.#slots.push(slot);
    slot.ready = this.#instantiate(slot);
    slot.ready.catch(() => {
      // Requests waiting on it fail with the error; the instance is gone.
      this.#destroy(slot);
    });
    return slot;
  }

  async #instantiate(slot: Slot): Promise<void> {
    const component = await this.#component;
    const own = await this.#opts.imports?.(slot.id, slot.controller.signal);
    // The embedder's wasi:http entries win; the pool's are made only for what they lack
    // (weft serve's WASI host brings both, per instance).
    const imports =
      own !== undefined && HTTP_ENTRIES.every((k) => k in own)
        ? own
        : { ...createHttpImports(this.#opts.http), ...own };
    const timeout = this.#opts.requestTimeout;
    const base: InstantiateOptions = { ...this.#opts.instantiate };
    if (!this.#keepResetState) base.resettable = false;
    let instance: Instance;
    let coreDeadline = false;
    if (timeout > 0 && !this.#hostDeadlineOnly) {
      try {
        instance = await component.instantiate(imports, {
          timeSlice: !this.#noTimeSlice,
          ...base,
          signal: slot.controller.signal,
        });
        coreDeadline = true;
      } catch (e) {
        if (!this.#noTimeSlice && codegenRefused(e)) {
          // Time slicing's JSPI stacks need wasm modules made at run time, which this host
          // refuses (workerd, a strict CSP): the core deadline still stops a guest that returns
          // to the event loop; nothing stops a tight loop.
          this.#noTimeSlice = true;
          this.#opts.log(
            `weft: time slicing is off: this host refuses to compile wasm at run time (${(e as Error).message}); a guest in a tight loop is not stopped`,
          );
          return this.#instantiate(slot);
        }
        if (!(e instanceof TypeError && /interruptible/.test(e.message))) throw e;
        this.#hostDeadlineOnly = true;
        this.#opts.log(
          'weft serve: the component was not compiled with { interruptible: true }: deadlines end requests on the host side only, and a guest in a tight loop is not stopped',
        );
        instance = await component.instantiate(imports, base);
      }
    } else instance = await component.instantiate(imports, base);
    if (slot.dead) return;
    const key = Object.keys(instance.exports).find((k) => HANDLER.test(k));
    const handle = key === undefined ? undefined : (instance.exports[key] as { handle?: unknown })?.handle;
    if (typeof handle !== 'function')
      throw new TypeError(
        `the component exports no wasi:http/handler@0.3.x handle (exports: ${Object.keys(instance.exports).join(', ') || 'none'})`,
      );
    slot.instance = instance;
    slot.handle = handle as (...args: any[]) => any;
    slot.coreDeadline = coreDeadline;
    slot.sliced = coreDeadline && isTimeSliced(instance);
    if (slot.sliced) slot.starts.clear();
    this.#arm(slot);
  }

  /**
   * Moves `slot`'s core deadline to its oldest request's deadline plus a little grace (the
   * host's timer, on time with time slicing, normally ends the request first), or removes it
   * while the instance is idle.
   */
  #arm(slot: Slot): void {
    if (!slot.coreDeadline || slot.sliced || slot.dead || slot.instance === undefined) return;
    let oldest: number | undefined;
    for (const at of slot.starts.values()) {
      oldest = at;
      break;
    }
    const timeout = this.#opts.requestTimeout;
    const grace = Math.min(CORE_GRACE_MS, Math.ceil(timeout / 10));
    try {
      setDeadline(slot.instance, oldest === undefined ? undefined : Math.max(0, oldest + timeout + grace - Date.now()));
    } catch {
      // Not a Weft instance that can move its deadline: host-side deadlines only.
      slot.coreDeadline = false;
    }
  }

  /** Idle bookkeeping after a slot's active count changed. */
  #settle(slot: Slot): void {
    if (slot.dead || slot.active > 0) return;
    if (slot.spent && !this.#closing && slot.instance !== undefined && resetInstance(slot.instance)) {
      // Used up, idle and back as instantiation left it: as good as a new instance, and far cheaper.
      slot.given = 0;
      slot.retired = slot.spent = false;
      this.#reset++;
    } else if (slot.spent && !this.#closing && this.#reset === 0 && ++this.#resetRefused >= RESET_TRIES) {
      // A guest that keeps handles across requests is never idle enough: stop keeping the
      // copy each instantiation makes for a reset.
      this.#keepResetState = false;
    }
    if (!slot.accepts() || this.#closing) {
      this.#destroy(slot);
      return;
    }
    slot.idleAt = Date.now();
    this.#armIdle(slot.idleAt + this.#opts.idleTimeout);
  }

  /**
   * Sweeps idle instances at `at` (or earlier, if armed so): one timer for the pool, not one per
   * instance going idle. Every instance idles equally long, so the earliest idle is due first.
   */
  #armIdle(at: number): void {
    if (this.#idleTimer !== undefined && this.#idleAt <= at) return;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleAt = at;
    this.#idleTimer = setTimeout(this.#sweepIdle, Math.max(0, at - Date.now()));
    this.#idleTimer.unref?.();
  }

  readonly #sweepIdle = (): void => {
    this.#idleTimer = undefined;
    const now = Date.now();
    const wait = this.#opts.idleTimeout;
    let next = Number.POSITIVE_INFINITY;
    for (const s of [...this.#slots]) {
      if (s.active !== 0 || s.idleAt === undefined) continue;
      if (now - s.idleAt >= wait) this.#destroy(s);
      else next = Math.min(next, s.idleAt + wait);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armIdle(next);
  };

  #destroy(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.retired = true;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    // Any guest code of this instance that runs again traps "interrupted".
    // A reason of our own: abort() without one makes a DOMException, per instance.
    slot.controller.abort(DROPPED);
    slot.instance = undefined;
    slot.handle = undefined;
    this.#pump();
  }
}

/** Used-up instances refused a reset, with none reset yet, before the pool stops asking. */
const RESET_TRIES = 3;

/** The import entries createHttpImports makes. */
const HTTP_ENTRIES = ['wasi:http/types@0.3.0', 'wasi:http/client@0.3.0'];

/** Whether `e` is the engine refusing to compile wasm or code from bytes at run time. */
function codegenRefused(e: unknown): boolean {
  return (
    (e instanceof WebAssembly.CompileError || e instanceof EvalError) &&
    /code generation (from strings )?disallowed/i.test((e as Error).message)
  );
}

/** The status a server answers a failed request with: 504 past its deadline, 503 while the pool closes, else 500. */
export function failureStatus(e: unknown): number {
  if (isDeadline(e)) return 504;
  if (e instanceof PoolClosedError) return 503;
  return 500;
}

const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The plain-text body of such an answer: `504 Gateway Timeout\n`. */
export function failureText(status: number): string {
  return `${status} ${REASONS[status] ?? 'Error'}\n`;
}

/** Failures that dropped (or retired) their instance: the instance's number, for the log. */
const dropped = new WeakMap<object, number>();

function markDropped(e: unknown, id: number): void {
  if (typeof e === 'object' && e !== null) dropped.set(e, id);
}

function describe(e: unknown): string {
  let line: string;
  if (e instanceof HttpError) line = `error-code ${formatCode(e.code)}`;
  else if (e instanceof Error) line = `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message.split('\n')[0]}`;
  else line = String(e);
  // A guest chooses trap and error-code texts: a line stays a line.
  line = shortName(line.replace(/[\r\n]+/g, ' '), 2048);
  const id = typeof e === 'object' && e !== null ? dropped.get(e) : undefined;
  return id === undefined ? line : `${line} (instance ${id} dropped)`;
}

export function formatCode(code: { tag: string; val?: unknown }): string {
  if (code.val === undefined) return code.tag;
  let v: string;
  try {
    v = JSON.stringify(code.val, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    v = String(code.val);
  }
  return `${code.tag}(${v})`;
}

/** Describes a failed request for the log: the guest's error-code, a trap, a deadline. */
export { describe as describeError };

/**
 * The deadlines of a pool's requests. They all have one length, so they fall due in the order
 * they were set: one timer, for the oldest, serves them all.
 */
class Deadlines {
  readonly #ms: number;
  /** In insertion order, which is due order. */
  readonly #due = new Map<Exchange, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(ex: Exchange): void {
    this.#due.set(ex, Date.now() + this.#ms);
    if (this.#timer === undefined) this.#arm(this.#ms);
  }

  delete(ex: Exchange): void {
    this.#due.delete(ex);
    // Nothing left to time: no timer keeps the process up. (Not kept for the next request
    // either: in workerd a timer belongs to the request that set it and dies with it.)
    if (this.#due.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(ms: number): void {
    // Requests keep the process up by their own sockets and guests, not by their deadlines.
    this.#timer = setTimeout(this.#tick, ms);
    this.#timer.unref?.();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    for (const [ex, at] of this.#due) {
      if (at > now) {
        this.#arm(at - now);
        return;
      }
      this.#due.delete(ex);
      ex.expire();
    }
  };
}

/** One request's time on an instance: its deadline and when it is over. */
class Exchange {
  readonly #pool: HandlerPool;
  readonly #slot: Slot;
  readonly #deadlines: Deadlines | undefined;
  #error: unknown;
  #done = false;
  /** What waits on the guest now (made on first need: most requests finish without). */
  #pending: Set<Deferred> | undefined;
  /** The response, once the guest gave one with a body. */
  #response: GuardedResponse | undefined;

  constructor(pool: HandlerPool, slot: Slot, deadlines: Deadlines | undefined) {
    this.#pool = pool;
    this.#slot = slot;
    this.#deadlines = deadlines;
    deadlines?.add(this);
    pool.began(this, slot);
  }

  /**
   * `p`, unless the deadline passes first (then a DeadlineError); with `then`, its value through
   * `then`, and with `fail`, a rejection (or the deadline's) as what `fail` returns.
   */
  guard<T, U = T>(p: Promise<T>, then?: (v: T) => U, fail?: (e: unknown) => unknown): Promise<U> {
    if (this.#error !== undefined) return Promise.reject(fail === undefined ? this.#error : fail(this.#error));
    if (this.#done)
      return then === undefined && fail === undefined
        ? (p as Promise<unknown> as Promise<U>)
        : p.then(then, fail && ((e) => Promise.reject(fail(e))));
    // Not Promise.race: a race with one long-lived promise keeps every racer reachable.
    return new Promise<U>((resolve, reject) => {
      const stop = fail === undefined ? reject : (e: unknown) => reject(fail(e));
      const pending = (this.#pending ??= new Set());
      pending.add(stop);
      p.then(
        (v) => {
          // Already ended by the deadline (or an abort): the late value is not wrapped.
          if (!pending.delete(stop)) return;
          if (then === undefined) resolve(v as unknown as U);
          else {
            try {
              resolve(then(v));
            } catch (e) {
              reject(e);
            }
          }
        },
        (e) => {
          if (pending.delete(stop)) stop(e);
        },
      );
    });
  }

  /** The deadline passed (Deadlines calls this). */
  expire(): void {
    if (this.#done) return;
    const error = new DeadlineError(this.#pool.requestTimeout);
    this.#pool.retire(this.#slot);
    markDropped(error, this.#slot.id);
    this.abort(error);
  }

  /** Ends the request with `error`: what waits on the guest for it fails with that. */
  abort(error: unknown): void {
    if (this.#done) return;
    this.#error = error;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) {
      for (const reject of pending) reject(this.#error);
      pending.clear();
    }
    this.cancel();
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#deadlines?.delete(this);
    this.#pool.release(this.#slot, this);
  }

  /** The request failed with `e`: bookkeeping, and the error to give the caller. */
  fail(e: unknown): unknown {
    const err = this.#error ?? e;
    if (!this.#done) {
      // The guest's own error-code leaves the instance fine; anything else (a trap, a host
      // failure mid-call) may have left it in any state.
      if (!(err instanceof HttpError) && !(err instanceof DeadlineError)) this.#pool.poison(this.#slot, err);
      this.#finish();
    }
    if (!isDeadline(err) || err instanceof DeadlineError) return err;
    // The core's deadline stopped the guest (a tight loop): the caller sees a DeadlineError.
    const deadline = new DeadlineError(this.#pool.requestTimeout);
    markDropped(deadline, this.#slot.id);
    return deadline;
  }

  /** The response, its body and trailers guarded by the deadline; done when both are. */
  wrap(response: HostResponse): HostResponse {
    const guarded = new GuardedResponse(this, response);
    if (response.contents !== undefined) this.#response = guarded;
    return guarded;
  }

  /** Stops the guest's body, if a response with one came. */
  cancel(): void {
    this.#response?.cancelBody();
  }

  /** The request failed or timed out already. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** The guest's work on this request is done. */
  finish(): void {
    this.#finish();
  }
}

/**
 * A guest's response, its body and trailers guarded by the request's deadline (Exchange.wrap):
 * the request is over once both are in, or the body was taken whole, or the consumer stopped.
 */
class GuardedResponse implements HostResponse {
  readonly status: number;
  readonly headers: FieldList;
  readonly contents: AsyncIterable<Uint8Array> | undefined;
  readonly #ex: Exchange;
  readonly #inner: HostResponse;
  #it: AsyncIterator<Uint8Array> | undefined;
  #bodyDone: boolean;
  #trailersDone = false;
  #trailers: Promise<FieldList | undefined> | undefined;

  constructor(ex: Exchange, inner: HostResponse) {
    this.#ex = ex;
    this.#inner = inner;
    this.status = inner.status;
    this.headers = inner.headers;
    this.#bodyDone = inner.contents === undefined;
    this.contents = inner.contents === undefined ? undefined : this;
    if (inner.contents === undefined) this.#guarded();
  }

  /** The request ended early: the guest's write sees its stream dropped. */
  cancelBody(): void {
    void Promise.resolve(this.#it?.return?.()).catch(() => {});
  }

  get trailers(): Promise<FieldList | undefined> {
    return this.#guarded();
  }

  #maybeFinish(): void {
    if (this.#bodyDone && this.#trailersDone) this.#ex.finish();
  }

  /** Guarded once asked for, or once the body ended (the request is over only when they are in). */
  #guarded(): Promise<FieldList | undefined> {
    if (this.#trailers !== undefined) return this.#trailers;
    const ex = this.#ex;
    const trailers = ex.guard(this.#inner.trailers).then(
      (t) => {
        this.#trailersDone = true;
        this.#maybeFinish();
        return t;
      },
      (e) => {
        throw ex.fail(e);
      },
    );
    trailers.catch(() => {});
    this.#trailers = trailers;
    return trailers;
  }

  /** The body and trailers known at once: the guest's work on this request is done. */
  whole(): ReturnType<NonNullable<HostResponse['whole']>> {
    const whole = this.#inner.whole;
    if (whole === undefined || this.#ex.failed || this.#it !== undefined) return undefined;
    const got = whole.call(this.#inner);
    if (got === undefined) return undefined;
    this.#bodyDone = this.#trailersDone = true;
    this.#ex.finish();
    return got;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.#it ??= this.#inner.contents![Symbol.asyncIterator]();
    const inner = this.#it;
    const ex = this.#ex;
    return {
      next: async () => {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await ex.guard(inner.next());
        } catch (e) {
          ex.cancel();
          throw ex.fail(e);
        }
        if (r.done) {
          this.#bodyDone = true;
          this.#guarded();
          this.#maybeFinish();
        }
        return r;
      },
      return: async () => {
        // The consumer stopped reading: the guest's write sees the stream dropped.
        this.#bodyDone = true;
        ex.cancel();
        ex.finish();
        return { done: true, value: undefined };
      },
    };
  }
}
