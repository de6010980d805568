// The default `wasi:http/client.send`: outgoing HTTP through undici.

export { type ClientOptions, createClient, defaultSend, type HttpClient, nsToMs } from './client.ts';
export { errorCodeOf, type Phase, toHttpError } from './errors.ts';
