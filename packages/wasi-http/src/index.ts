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
export { createHttp, type HttpImports, type HttpOptions, type HttpTypes, httpTypes, noClient } from './imports.ts';
export { callHandler, type GuestHandle, handlerImport } from './handler.ts';
export * from './server/index.ts';
// The Node entry's pool and fetch bridge send the guest's outgoing requests through undici
// unless told otherwise (the web entry's send nowhere).
export { HandlerPool, toFetchHandler } from './node-defaults.ts';
export { type ClientOptions, createClient, defaultSend, errorCodeOf, type HttpClient } from './client/index.ts';
