// wasi:sockets@0.3.0 tcp-socket for raw-ABI C guests: create, send and receive with their
// streams and futures, and the error-code names. Include after cabi.h.
#ifndef TCP_H
#define TCP_H

typedef unsigned short u16;

#define TYPES "wasi:sockets/types@0.3.0"
#define SEND "[method]tcp-socket.send"
#define RECEIVE "[method]tcp-socket.receive"

IMPORT(TYPES, "[static]tcp-socket.create") void tcp_create(u32 family, void *ret);
IMPORT(TYPES, SEND) u32 tcp_send(u32 self, u32 data);
IMPORT(TYPES, RECEIVE) void tcp_receive(u32 self, u32 *ret);
IMPORT(TYPES, "[resource-drop]tcp-socket") void tcp_drop(u32 self);
IMPORT(TYPES, "[stream-new-0]" SEND) u64 send_stream_new(void);
IMPORT(TYPES, "[async-lower][stream-write-0]" SEND) u32 send_stream_write(u32 w, const void *p, u32 n);
IMPORT(TYPES, "[stream-drop-writable-0]" SEND) void send_stream_drop(u32 w);
IMPORT(TYPES, "[async-lower][future-read-1]" SEND) u32 send_future_read(u32 f, void *p);
IMPORT(TYPES, "[future-drop-readable-1]" SEND) void send_future_drop(u32 f);
IMPORT(TYPES, "[async-lower][stream-read-0]" RECEIVE) u32 recv_stream_read(u32 r, void *p, u32 n);
IMPORT(TYPES, "[stream-drop-readable-0]" RECEIVE) void recv_stream_drop(u32 r);
IMPORT(TYPES, "[async-lower][future-read-1]" RECEIVE) u32 recv_future_read(u32 f, void *p);
IMPORT(TYPES, "[future-drop-readable-1]" RECEIVE) void recv_future_drop(u32 f);

/** The WIT's error-code cases, in order (a case byte indexes it; 15 or more is malformed). */
static const char *const SOCKET_ERRORS[] = {
    "access-denied",     "not-supported",      "invalid-argument",   "out-of-memory",   "timeout",
    "invalid-state",     "address-not-bindable", "address-in-use",   "remote-unreachable", "connection-refused",
    "connection-broken", "connection-reset",   "connection-aborted", "datagram-too-large", "other",
};

#endif
