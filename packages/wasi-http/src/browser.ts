// The browser entry of @weft/wasi-http (the `browser` export condition): the web entry (web.ts:
// resources, handlers, the fetch bridge and its pool, no Node code), with fetch as the default
// client of createHttp, HandlerPool and toFetchHandler. Serving over node:http and the undici
// client are Node's only.

export * from './web.ts';
export { createHttp } from './browser-imports.ts';
export { HandlerPool, toFetchHandler } from './browser-defaults.ts';
export { type FetchClientOptions, fetchClient } from './fetch-client.ts';
