// A wasi:http handler that tries its network: each request creates a tcp-socket, binds it to
// 127.0.0.1:0 and answers 200 with `bind: ok` or `bind: ERROR-CODE` (then drops the socket).
// For `weft serve --allow-net` tests: the policy reaches every instance. C against the raw
// ABI, on wasi-http's test header (http.h).
#include "../../../wasi-http/test/guests/http.h"

#define SOCKETS "wasi:sockets/types@0.3.0"
IMPORT(SOCKETS, "[static]tcp-socket.create") void tcp_create(u32 family, void *ret);
// (self, ip-socket-address) flattened: the case, then 11 joined slots (v4: port, 4 address bytes)
IMPORT(SOCKETS, "[method]tcp-socket.bind")
void tcp_bind(u32 self, u32 tag, u32 port, u32 a, u32 b, u32 c, u32 d, u32 x6, u32 x7, u32 x8, u32 x9, u32 x10,
              u32 x11, void *ret);
IMPORT(SOCKETS, "[resource-drop]tcp-socket") void tcp_drop(u32 self);

static const char *const ANSWERS[] = {
    "bind: access-denied\n",      "bind: not-supported\n",      "bind: invalid-argument\n",
    "bind: out-of-memory\n",      "bind: timeout\n",            "bind: invalid-state\n",
    "bind: address-not-bindable\n", "bind: address-in-use\n",   "bind: remote-unreachable\n",
    "bind: connection-refused\n", "bind: connection-broken\n",  "bind: connection-reset\n",
    "bind: connection-aborted\n", "bind: datagram-too-large\n", "bind: other\n",
};

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  request_drop(request);
  u32 r[5];
  tcp_create(0, r);
  if ((r[0] & 0xff) != 0) return respond_text(500, "create failed\n");
  u32 sock = r[1];
  tcp_bind(sock, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, r);
  tcp_drop(sock);
  u8 code = ((u8 *)r)[4];
  return respond_text(200, (r[0] & 0xff) == 0 ? "bind: ok\n" : code < 15 ? ANSWERS[code] : "bind: ?\n");
}

HANDLER_CALLBACK
