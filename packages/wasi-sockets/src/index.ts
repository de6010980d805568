// @weft/wasi-sockets: wasi:sockets@0.3 (tcp, udp, ip-name-lookup) under a network policy.

export { createSockets, type SocketsImports } from './create.ts';
export type { NetworkOptions, SocketAddress, SocketsOptions, VirtualConnection, VirtualNetwork } from './options.ts';
export { NetworkPolicy, PolicyError } from './policy.ts';
export type { IpAddress, IpAddressFamily, IpSocketAddress } from './address.ts';
export type { ErrorCode, LookupErrorCode } from './errors.ts';
