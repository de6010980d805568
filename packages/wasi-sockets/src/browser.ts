// The browser entry of @weft/wasi-sockets (the `browser` export condition): the API of index.ts
// with a createSockets that needs no Node: virtual connections and names only, no UDP.

export { createSockets, createSocketsHost, type SocketsHost, type SocketsImports } from './browser-create.ts';
export type { NetworkOptions, SocketAddress, SocketsOptions, VirtualConnection, VirtualNetwork } from './options.ts';
export { NetworkPolicy, PolicyError } from './policy.ts';
export { type IpAddress, type IpAddressFamily, type IpSocketAddress, parseIpAddress } from './address.ts';
export type { ErrorCode, LookupErrorCode } from './errors.ts';
