// wasi:http/types@0.3.0: the resources and the conversions between them and the host's side.

export type { BodyContents, GuestTrailers, ResultSource, TrailersSource } from './body.ts';
export {
  ERROR_CODE_TAGS,
  errorCode,
  type HeaderError,
  type RequestOptionsError,
  toErrorCode,
  toHttpError,
} from './errors.ts';
export { FIELD_OVERHEAD, Fields, FIELDS_SIZE_LIMIT, FORBIDDEN_FIELDS, isFieldValue, isToken } from './fields.ts';
export { RequestOptions } from './options.ts';
export { Request } from './request.ts';
export { Response } from './response.ts';
export type { Method, Scheme } from './uri.ts';
