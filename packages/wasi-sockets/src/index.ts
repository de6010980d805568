// @weft/wasi-sockets: wasi:sockets@0.3 (tcp, udp, ip-name-lookup) under a network policy.

export { createSockets, createSocketsHost, type SocketsHost, type SocketsImports } from './create.ts';
export type { NetworkOptions, SocketAddress, SocketsOptions, VirtualConnection, VirtualNetwork } from './options.ts';
export { type AllowRule, NetworkPolicy, PolicyError, parseAllowRule } from './policy.ts';
export { parseIpAddress, type IpAddress, type IpAddressFamily, type IpSocketAddress } from './address.ts';
export type { ErrorCode, LookupErrorCode } from './errors.ts';
