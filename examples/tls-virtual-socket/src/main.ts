// `pnpm start` (node --conditions=weft-source src/main.ts [PATH]): stands up a local HTTPS server
// for secure.example (the test's self-signed certificate) on 127.0.0.1, then runs the plaintext
// guest `http-get secure.example 443 PATH` with a virtual network that resolves that name and
// gives the connection TLS in user space. Prints what the guest printed, then what went over the
// real TCP connection.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { runHttpGet } from './run.ts';
import { tlsVirtualNetwork } from './tls-network.ts';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
const cert = fixture('cert.pem');
const path = process.argv[2] ?? '/hello';

const wire = { out: 0, in: 0 };
const server = createServer({ cert, key: fixture('key.pem') }, (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello over TLS; you asked for ${req.url}\n`);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const network = tlsVirtualNetwork({
  name: 'secure.example',
  upstream: { host: '127.0.0.1', port },
  ca: cert,
  onSecure: (tls) => console.error(`[host] TLS ${tls.getProtocol()} ${tls.getCipher().name} to 127.0.0.1:${port}`),
  onWire: (direction, chunk) => {
    wire[direction] += chunk.length;
  },
});
const run = await runHttpGet(network, 'secure.example', 443, path);
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
console.error(
  `[host] guest exit ${run.code}; on the wire: ${wire.out} bytes out, ${wire.in} bytes in, all TLS records`,
);
server.close();
server.closeAllConnections();
process.exitCode = run.code;
