// The peer for the componentize-qjs handler: the same component transpiled by
// jco (async exports through JSPI) and served by @bytecodealliance/preview3-shim's
// HttpServer, jco's WASI 0.3 host (one request at a time, as it runs them).
//   node jco-server.mjs TRANSPILED.js
// Prints `Serving HTTP on http://127.0.0.1:PORT/` on stderr once listening.
// bench.ts transpiles the component and makes preview3-shim resolvable beside it.
import { createServer } from 'node:net';

const mod = await import(process.argv[2]);
const { HttpServer } = await import(process.argv[3]);
// jco returns the response (or throws the error-code); preview3-shim wants a result.
const handler = {
  async handle(request) {
    try {
      return { tag: 'ok', val: await mod.handler.handle(request) };
    } catch (e) {
      return { tag: 'err', val: e?.payload ?? { tag: 'internal-error', val: String(e) } };
    }
  },
};
// HttpServer.listen takes a port and tells nothing back: find a free one first.
const port = await new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const server = new HttpServer(handler);
server.on('error', (e) => process.stderr.write(`jco-server: ${e?.message ?? e}\n`));
await server.listen(port, '127.0.0.1');
process.stderr.write(`Serving HTTP on http://127.0.0.1:${port}/\n`);
process.on('SIGTERM', () => process.exit(0));
