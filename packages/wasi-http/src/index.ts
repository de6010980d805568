// The Node entry: everything of the web entry (web.ts), with the undici client as the default
// `send` of createHttp, HandlerPool and toFetchHandler (the web entry's send nowhere), plus
// serving over node:http and the HTTP client.

export * from './web.ts';
export { createHttp } from './imports.ts';
export { HandlerPool, toFetchHandler } from './node-defaults.ts';
export {
  fieldsFromRaw,
  rawFromFields,
  toHostRequest,
  type WriteOptions,
  type WriteOutcome,
  writeHostResponse,
} from './server/node.ts';
export { Turns } from './server/prefetch.ts';
export {
  createRequestListener,
  type RequestListenerOptions,
  type ServeOptions,
  serve,
  urlOf,
  type WeftServer,
} from './server/serve.ts';
export { type ClientOptions, createClient, defaultSend, errorCodeOf, type HttpClient } from './client/index.ts';
