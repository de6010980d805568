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
