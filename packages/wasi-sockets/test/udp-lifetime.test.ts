// A udp socket holds the host's event loop only while a receive waits: a guest that never drops
// its sockets cannot keep the process alive, and one waiting for a datagram is not cut off.
// Each case runs in a child Node process (bounded in time) to watch when it exits.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runModule } from './child.ts';

const UDP = fileURLToPath(new URL('../src/udp/index.ts', import.meta.url));
const CONTEXT = fileURLToPath(new URL('../src/context.ts', import.meta.url));

const run = (body: string) =>
  runModule(`
    import { udpSocketClass } from ${JSON.stringify(UDP)};
    import { createContext } from ${JSON.stringify(CONTEXT)};
    const Udp = udpSocketClass(createContext({ network: { inherit: true } }));
    const lo = (port) => ({ tag: 'ipv4', val: { port, address: [127, 0, 0, 1] } });
    ${body}`);

describe('udp-socket and the event loop', () => {
  it('a bound socket nobody drops does not keep the process alive', async () => {
    const r = await run(`
      const s = Udp.create('ipv4'); s.bind(lo(0));
      const t = Udp.create('ipv4'); t.connect(s.getLocalAddress());
      await t.send(new Uint8Array([1]), undefined);
      console.log('done');`);
    expect(r).toMatchObject({ code: 0, out: 'done' });
  });

  it('a waiting receive keeps it alive until its datagram arrives', async () => {
    const r = await run(`
      const s = Udp.create('ipv4'); s.bind(lo(0));
      const t = Udp.create('ipv4');
      const to = s.getLocalAddress();
      // The sender's timer is unref'd: only the pending receive holds the loop for 300 ms.
      setTimeout(() => t.send(new Uint8Array([42]), to), 300).unref();
      const [data] = await s.receive();
      console.log(data[0]);`);
    expect(r).toMatchObject({ code: 0, out: '42' });
    expect(r.ms).toBeGreaterThan(250);
  });
});
