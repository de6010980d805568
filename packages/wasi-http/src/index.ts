export {
  type ErrorCode,
  type FieldList,
  type HostBody,
  type HostRequest,
  type HostResponse,
  HttpError,
  type RequestOptions,
  type SendFn,
} from './host.ts';
export { type ClientOptions, createClient, defaultSend, errorCodeOf, type HttpClient } from './client/index.ts';
