// The numbers udp-socket decides by, in one place.

/** UDP's 16-bit length field: a larger `send` is `datagram-too-large` before any kernel call (as Wasmtime). */
export const MAX_DATAGRAM = 0xffff;

/**
 * The ceiling on what the host queues for a guest that does not call `receive`, however large a
 * receive buffer it asks for: Node reads every datagram off the kernel as it arrives, so this
 * queue is the socket's real receive buffer.
 */
export const MAX_INBOX_BYTES = 1 << 20;

/** What each queued datagram costs beyond its payload (the kernel charges a buffer header too), so empty datagrams are bounded as well. */
export const DATAGRAM_OVERHEAD = 256;

/** The hop limit a socket reports before the guest sets one: Linux's default IP_TTL and IPV6_UNICAST_HOPS. */
export const DEFAULT_HOP_LIMIT = 64;

/**
 * The buffer size an unbound socket reports before the guest sets one (Node opens the kernel
 * socket at bind): Linux's default, 212992, halved as `get-*-buffer-size` halves Linux's values.
 */
export const DEFAULT_BUFFER_SIZE = 106496;

/** SO_RCVBUF/SO_SNDBUF take a C int: larger requests are clamped (the WIT allows clamping). */
export const MAX_BUFFER_SIZE = 0x7fff_ffff;
