// The bench's baseline: a bare node:http server answering every request as the
// hello guests do (200, `content-type: text/plain`, "hello").
//   node bare-server.mjs [--workers N]
// Prints `Serving HTTP on http://127.0.0.1:PORT/` on stderr once listening;
// with --workers N, N node:cluster workers share the port.
import cluster from 'node:cluster';
import { createServer } from 'node:http';

const at = process.argv.indexOf('--workers');
const workers = at >= 0 ? Number(process.argv[at + 1]) : 1;
const body = Buffer.from('hello');

function listen(port, ready) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
  });
  server.listen(port, '127.0.0.1', () => ready(server.address().port));
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

if (workers <= 1) {
  listen(0, (port) => process.stderr.write(`Serving HTTP on http://127.0.0.1:${port}/\n`));
} else if (cluster.isPrimary) {
  // Workers that listen on port 0 share one handle of the primary, so one port.
  let ready = 0;
  for (let i = 0; i < workers; i++)
    cluster.fork().once('message', (port) => {
      if (++ready === workers) process.stderr.write(`Serving HTTP on http://127.0.0.1:${port}/\n`);
    });
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
    process.exit(0);
  });
} else {
  listen(0, (port) => process.send(port));
}
