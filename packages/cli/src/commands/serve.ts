// `weft serve [options] component.wasm`: serves a wasi:http/service component's
// wasi:http/handler@0.3.x over HTTP/1.1 (@weft/wasi-http's serve), with the WASI imports of
// `weft run` (the guest's stdout/stderr are the process's, its stdin empty). Prints
// `Serving HTTP on http://HOST:PORT/` to stderr once listening; SIGINT/SIGTERM shut it down
// gracefully (exit 0). With `--workers N`, N processes (node:cluster) share the port.

import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeBackend } from '@weft/wasi-fs';
import type { Io } from '../io.ts';
import { loadComponent } from './load.ts';
import { networkOptions } from './net-args.ts';
import { checkDirs, guestEnv } from './run-args.ts';
import { asRunArgs, type ServeArgs } from './serve-args.ts';

/** Set in the environment of the processes `--workers` forks. */
const WORKER_ENV = 'WEFT_SERVE_WORKER';

/** Runs until a shutdown signal; resolves with the exit code. */
export async function serveCommand(args: ServeArgs, io: Io): Promise<number> {
  checkDirs(args.dirs);
  const { default: cluster } = await import('node:cluster');
  if (args.workers > 1 && cluster.isPrimary) return primary(args, io, cluster);
  const worker = cluster.isWorker && process.env[WORKER_ENV] === '1';
  // Listening for the signals first: one that comes while the component compiles still
  // ends the server gracefully once it is up.
  const shutdown = shutdownRequested(worker);
  const server = await start(args, io);
  if (!worker) io.err(`Serving HTTP on ${server.url}`);
  await shutdown;
  await server.close();
  // A worker's IPC channel would keep it alive.
  if (worker) process.disconnect?.();
  return 0;
}

async function start(args: ServeArgs, io: Io) {
  const requestTimeout = args.requestTimeoutMs;
  const component = await loadComponent(args.file, {
    // The deadline needs the instrumentation (default 60 s, 0: none).
    interruptible: requestTimeout !== 0,
    // An instance that served its share of requests is reset rather than made anew.
    resettable: true,
    maxMemoryPages: args.maxMemoryPages,
  });
  const importNames = [...component.type.imports.keys()];
  const [{ wasiHostFactory, importsWasiP2 }, { serve }] = await Promise.all([
    import('@weft/wasi/load'),
    import('@weft/wasi-http'),
  ]);
  // Loaded once: each instance's host is then made synchronously.
  const wasiHost = await wasiHostFactory(importNames);
  const env = guestEnv(asRunArgs(args), process.env);
  // One sandboxed backend per directory, shared by every instance.
  const preopens = args.dirs.map((d) => ({
    guestPath: d.guest,
    backend: new NodeBackend(d.host, { readOnly: d.readOnly }),
  }));
  const argv0 = basename(args.file);
  const network = networkOptions(args);
  return serve(component, {
    host: args.host,
    port: args.port,
    requestTimeout,
    maxInstances: args.maxInstances,
    requestsPerInstance: args.requestsPerInstance,
    concurrencyPerInstance: args.concurrencyPerInstance,
    maxConcurrent: args.maxConcurrent,
    idleTimeout: args.idleTimeoutMs,
    log: (line) => io.err(line),
    // WASI 0.2 stdio calls may wait on the event loop: let the guest suspend on them.
    instantiate: { hostImportsMaySuspend: importsWasiP2(importNames) },
    // Each instance gets its own WASI host (wasi:http's client included), on this process's
    // stdout and stderr, with an empty stdin; the sockets its guest opened close when the pool
    // drops it (used up, trapped or overdue).
    imports: (_id, dropped) => {
      const host = wasiHost({
        args: [argv0],
        env,
        cwd: preopens.length > 0 ? '/' : undefined,
        stdin: new Uint8Array(0),
        preopens,
        network,
        ...io.stdio,
      });
      dropped.addEventListener('abort', () => host.close(), { once: true });
      return host.imports;
    },
  });
}

/**
 * Resolves on the first SIGINT or SIGTERM (or, in a worker, the primary's request). A second
 * signal while shutting down exits at once.
 */
function shutdownRequested(worker: boolean): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(0);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (worker) {
      process.on('message', (m) => {
        if ((m as { weft?: string })?.weft === 'shutdown') resolve();
      });
      // The primary went away: nobody else will stop us.
      process.on('disconnect', () => resolve());
    }
  });
}

type Cluster = typeof import('node:cluster').default;
type Worker = import('node:cluster').Worker;

/** The `--workers N` primary: forks N servers on one port, prints once they all listen. */
function primary(args: ServeArgs, io: Io, cluster: Cluster): Promise<number> {
  const self = import.meta.url;
  const bin = fileURLToPath(new URL(self.endsWith('.ts') ? '../bin.ts' : './bin.js', self));
  const argv = process.argv.slice(2);
  const i = argv.indexOf('serve');
  // Workers accept connections themselves (the kernel hands each to one that is waiting), so a
  // worker held by a guest in a tight loop gets no new ones, where round-robin in this process
  // would give it every other connection until its deadline. NODE_CLUSTER_SCHED_POLICY=rr
  // chooses round-robin.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    exec: bin,
    args: i >= 0 ? argv.slice(i) : ['serve', ...argv],
    execArgv: process.execArgv,
  });
  return new Promise((resolve) => {
    const listening = new Set<Worker>();
    let alive = 0;
    let printed = false;
    let stopping = false;
    let failed = 0;
    const fork = () => {
      alive++;
      // IPC errors (a worker that is gone) are seen through 'exit'.
      cluster.fork({ [WORKER_ENV]: '1' }).on('error', () => {});
    };
    // A worker may be on its way out already: a message it can no longer take is no error.
    const tellStop = (w: Worker | undefined) => {
      if (w?.isConnected()) w.send({ weft: 'shutdown' }, undefined, undefined, () => {});
    };
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      failed = code;
      for (const w of Object.values(cluster.workers ?? {})) tellStop(w);
    };
    cluster.on('listening', (worker, address) => {
      listening.add(worker);
      // Forked before a shutdown and up only now: it stops too.
      if (stopping) tellStop(worker);
      if (!printed && listening.size === args.workers) {
        printed = true;
        const host = address.address ?? args.host;
        io.err(`Serving HTTP on http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`);
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      alive--;
      const wasListening = listening.delete(worker);
      if (!stopping) {
        if (!wasListening) {
          // It never served: the same error would repeat in every fork.
          io.err(`weft serve: a worker exited before listening (${signal ?? `code ${code}`})`);
          stop(code || 1);
        } else {
          io.err(`weft serve: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
          fork();
        }
      }
      if (alive === 0 && stopping) resolve(failed);
    });
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        process.exit(0);
      }
      stop(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (let n = 0; n < args.workers; n++) fork();
  });
}
