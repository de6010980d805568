// `@weft/wasi-http/web`: the parts of the package that load no Node-only code (no `node:`
// module, no undici, no Buffer), for Cloudflare's workerd, browsers (service workers), Deno
// and Bun: the fetch bridge and its pool, calling and serving handlers, the wasi:http
// resources. The guest's outgoing requests (`wasi:http/client.send`) go to `http.send`;
// without one they fail with `internal-error` (`noClient`).

export { callHandler, type GuestHandle, handlerImport } from './handler.ts';
export {
  type ErrorCode,
  type FieldList,
  type HostBody,
  type HostRequest,
  type HostResponse,
  HttpError,
  type RequestOptions as HostRequestOptions,
  type SendFn,
} from './host.ts';
export {
  createHttpImports as createHttp,
  type HttpImports,
  type HttpOptions,
  type HttpTypes,
  httpTypes,
  noClient,
} from './http-imports.ts';
export {
  type FetchHandler,
  type FetchHandlerOptions,
  hostToResponse,
  requestToHost,
  toFetchHandler,
} from './server/fetch.ts';
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
} from './server/pool.ts';
export {
  type BodyContents,
  ERROR_CODE_TAGS,
  errorCode,
  FIELDS_SIZE_LIMIT,
  Fields,
  FORBIDDEN_FIELDS,
  type GuestTrailers,
  type HeaderError,
  type Method,
  Request,
  RequestOptions,
  type RequestOptionsError,
  Response,
  type ResultSource,
  type Scheme,
  toErrorCode,
  type TrailersSource,
} from './types/index.ts';
