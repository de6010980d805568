// Serving a component's wasi:http handler: the instance pool, node:http and the fetch bridge.

export {
  type CallHandler,
  type ComponentLike,
  DeadlineError,
  describeError,
  HandlerPool,
  type HandlerPoolOptions,
  POOL_DEFAULTS,
  PoolClosedError,
  type PoolStats,
} from './pool.ts';
export { fieldsFromRaw, rawFromFields, toHostRequest, type WriteOutcome, writeHostResponse } from './node.ts';
export {
  createRequestListener,
  type RequestListenerOptions,
  type ServeOptions,
  serve,
  urlOf,
  type WeftServer,
} from './serve.ts';
export { type FetchHandler, type FetchHandlerOptions, hostToResponse, requestToHost, toFetchHandler } from './fetch.ts';
