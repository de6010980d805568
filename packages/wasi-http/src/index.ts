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
