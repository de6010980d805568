// @weft/wasi-sockets: wasi:sockets@0.3 (tcp, udp, ip-name-lookup) under a network policy.
export {};
