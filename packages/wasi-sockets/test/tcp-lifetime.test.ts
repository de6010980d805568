// A listening tcp-socket holds the host's event loop only while an accept waits (as udp's
// receive): a guest that never drops its listener cannot keep the process alive, and one waiting
// for a connection is not cut off. Each case runs in a child Node process, bounded in time.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runModule } from './child.ts';

const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));

const run = (body: string) =>
  runModule(`
    import { createSockets } from ${JSON.stringify(INDEX)};
    import { connect } from 'node:net';
    const { TcpSocket } = createSockets({ network: { inherit: true } })['wasi:sockets/types@0.3.0'];
    ${body}`);

describe('tcp listeners and the event loop', () => {
  it('a listener nobody drops or accepts from does not keep the process alive', async () => {
    const r = await run(`
      const s = TcpSocket.create('ipv4');
      s.listen();
      console.log('listening');`);
    expect(r).toMatchObject({ code: 0, out: 'listening' });
    expect(r.ms).toBeLessThan(8000);
  });

  it('a waiting accept keeps it alive until its connection arrives', async () => {
    const r = await run(`
      const s = TcpSocket.create('ipv4');
      s.bind({ tag: 'ipv4', val: { port: 0, address: [127, 0, 0, 1] } });
      const accepts = s.listen()[Symbol.asyncIterator]();
      const port = s.getLocalAddress().val.port;
      // The timer is unref'd: only the waiting accept holds the loop for 300 ms.
      setTimeout(() => connect(port, '127.0.0.1').on('error', () => {}).unref(), 300).unref();
      const { value } = await accepts.next();
      console.log(value.getRemoteAddress().tag);
      value[Symbol.dispose]();`);
    expect(r).toMatchObject({ code: 0, out: 'ipv4' });
    expect(r.ms).toBeGreaterThan(250);
  });
});
