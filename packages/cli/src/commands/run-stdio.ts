// How `weft run` treats the process's stdout/stderr file descriptors.

/** The process stream's libuv handle, where Node has one (pipes, sockets, terminals). */
interface StdioHandle {
  setBlocking?(blocking: boolean): number;
}

/**
 * WASI 0.2 output streams are synchronous calls with no way to wait for a
 * slow reader, so a guest that imports them gets blocking stdout/stderr, as a
 * native command has: the kernel holds the guest back instead of queueing its
 * output in memory. (Creating `process.stdout` on a pipe, which preview2-shim
 * does when it loads, leaves the fd non-blocking; Node itself makes terminal
 * stdio blocking the same way.) 0.3 output keeps non-blocking fds: its sink
 * waits for writability without stopping the event loop.
 */
export function blockingStdioFor(importNames: Iterable<string>): void {
  let p2 = false;
  for (const name of importNames) if (/^wasi:cli\/(stdout|stderr)@0\.2\./.test(name)) p2 = true;
  if (!p2) return;
  for (const s of [process.stdout, process.stderr]) {
    const h = (s as unknown as { _handle?: StdioHandle })._handle;
    if (typeof h?.setBlocking === 'function') h.setBlocking(true);
  }
}
