// pnpm bench (in packages/wasi-sockets): TCP echo throughput through a guest against a plain
// Node `net` echo server, in the same run. The guest is bench/guests/echo.wasm (C against the raw
// ABI: receive → send, up to 64 KiB a read) in this process under createSockets, allowed
// 127.0.0.1 only. The client (this process too, as for the Node server) writes SIZE bytes in
// 64 KiB chunks, honouring backpressure, and reads the echo back; the rate is SIZE over the
// time from the first write to the last echoed byte. Each server runs ROUNDS times,
// interleaved; the best round is kept. Prints MB/s (10^6 bytes) for each and the ratio.
// Options: --quick (fewer bytes and rounds).

import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { Component } from '@weft/core';
import { CaptureSink, createCliHost, resolveCliOptions, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createSockets } from '@weft/wasi-sockets';

const QUICK = process.argv.includes('--quick');
const SIZE = (QUICK ? 32 : 256) * 1024 * 1024;
const ROUNDS = QUICK ? 2 : 5;
const CHUNK = 64 * 1024;
const GUEST = new URL('guests/echo.wasm', import.meta.url);

/** Sends SIZE bytes to 127.0.0.1:port and reads them back; resolves with MB/s. */
function echoRate(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(CHUNK, 0x5a);
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let sent = 0;
    let received = 0;
    let t0 = 0;
    const timer = setTimeout(() => socket.destroy(new Error('echo took longer than 60 s')), 60_000);
    const pump = () => {
      while (sent < SIZE) {
        sent += CHUNK;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      t0 = performance.now();
      pump();
    });
    socket.on('data', (b: Buffer) => {
      received += b.length;
      if (received >= SIZE) {
        const seconds = (performance.now() - t0) / 1000;
        clearTimeout(timer);
        socket.end();
        resolve(SIZE / 1e6 / seconds);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function nodeRound(): Promise<number> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await echoRate((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}

async function guestRound(component: Component): Promise<number> {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const cli = createCliHost(resolveCliOptions({ args: ['echo'], stdin: 'ignore', stdout, stderr }));
  const imports = {
    ...createClocks(),
    ...createSockets({ network: { allow: ['127.0.0.1:*'] } }),
    ...cli.imports,
  };
  const instance = await component.instantiate(imports);
  const done = runCommand(instance, { drain: () => cli.drain() });
  // The guest prints its bound address once it listens.
  const deadline = Date.now() + 10_000;
  let line: RegExpExecArray | null = null;
  while (!(line = /^127\.0\.0\.1:(\d+)\n/.exec(stdout.text()))) {
    if (Date.now() > deadline) throw new Error(`the echo guest did not listen: ${stderr.text()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const rate = await echoRate(Number(line[1]));
  const code = await done;
  if (code !== 0) throw new Error(`the echo guest exited ${code}: ${stderr.text()}`);
  return rate;
}

const component = await Component.compile(readFileSync(GUEST));
const node: number[] = [];
const guest: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  node.push(await nodeRound());
  guest.push(await guestRound(component));
}
const best = (xs: number[]) => Math.max(...xs);
const mb = (x: number) => `${x.toFixed(0).padStart(6)} MB/s`;
console.log(`TCP echo, ${SIZE / 1024 / 1024} MiB in ${CHUNK / 1024} KiB writes, best of ${ROUNDS}`);
console.log(`  node net echo server   ${mb(best(node))}   (rounds: ${node.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  weft echo guest        ${mb(best(guest))}   (rounds: ${guest.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ratio guest / node     ${(best(guest) / best(node)).toFixed(2)}x   (goal >= 0.5x)`);
