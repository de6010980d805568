// Request trailers over HTTP/1.1 chunked encoding, which undici (8.x) cannot send by itself:
// its body writer ends every chunked body with the fixed last chunk `\r\n0\r\n\r\n` (an empty
// trailer section) and has no way to put fields there; its HTTP/2 client has none either.
//
// The client's connector therefore watches what undici writes to each of its sockets. The
// request body source registers every chunk it hands to undici (a fresh view each time), so the
// write of that chunk tells which request the socket carries; when that body ends, its trailers
// are set before undici writes the last chunk, and that one write becomes
// `\r\n0\r\n` + the trailer fields + `\r\n`. Nothing else that undici writes is changed. With a
// content-length body, an empty body, or a caller's own dispatcher there is no chunked last
// chunk to extend, and the trailers are not sent (the README says so).

import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** Written by undici's AsyncWriter.end() to close a chunked body (no trailer fields). */
const LAST_CHUNK = '\r\n0\r\n\r\n';

/** One request body's trailers, filled in when its contents end. */
export interface TrailerSlot {
  /** Serialized `name: value\r\n` lines; set just before the body source reports its end. */
  fields: string | undefined;
  /** Set once the fields went out in the last chunk. */
  sent: boolean;
}

const owners = new WeakMap<Uint8Array, TrailerSlot>();

/** Marks `chunk` (a view no other request shares) as a piece of the body `slot` belongs to. */
export function register(chunk: Uint8Array, slot: TrailerSlot): void {
  owners.set(chunk, slot);
}

const patched = new WeakSet<Socket>();

function watch(socket: Socket): void {
  if (patched.has(socket)) return;
  patched.add(socket);
  const write = socket.write;
  let current: TrailerSlot | undefined;
  socket.write = function (this: Socket, chunk: any, ...rest: any[]): boolean {
    if (chunk instanceof Uint8Array) {
      const owner = owners.get(chunk);
      if (owner !== undefined) current = owner;
    } else if (chunk === LAST_CHUNK && current !== undefined) {
      const slot = current;
      current = undefined;
      if (slot.fields !== undefined) {
        chunk = `\r\n0\r\n${slot.fields}\r\n`;
        slot.sent = true;
      }
    }
    return write.call(this, chunk, ...rest);
  } as Socket['write'];
}

/** `connect` (undici's connector) with every socket it makes watched for request trailers. */
export function trailerConnector(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    // undici keeps what the connector returns to cancel an attempt no request waits for.
    const socket = (connect as (...args: unknown[]) => unknown)(options, (err: Error | null, s: Socket | null) => {
      if (s) watch(s);
      (callback as (...args: unknown[]) => void)(err, s);
    }) as Socket | undefined;
    if (socket && typeof socket.write === 'function') watch(socket);
    return socket as unknown as undefined;
  };
}
