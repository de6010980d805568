// wasi-testsuite test specifications (doc/specification.md): NAME.json next to
// NAME.wasm, legacy ({ args, env, root, exit_code, stdout, stderr }) or
// operation-based ({ proposals, operations, world, servers }). Everything is
// turned into one list of operations with every default filled in, then checked.

import { readFile } from 'node:fs/promises';

export interface RunOp {
  type: 'run';
  args: string[];
  env: Record<string, string>;
  /** Relative to the test's directory; preopened as the guest's `/`. */
  root: string | null;
}
export interface WaitOp {
  type: 'wait';
  exitCode: number;
}
export interface ReadOp {
  type: 'read';
  id: 'stdout' | 'stderr';
  payload: string;
}
export interface WriteOp {
  type: 'write';
  id: 'stdin';
  payload: string;
}
export interface ConnectOp {
  type: 'connect';
  id: string;
  protocol: 'tcp' | 'udp' | 'http';
}
export interface SendOp {
  type: 'send';
  id: string;
  payload: string;
}
export interface RecvOp {
  type: 'recv';
  id: string;
  payload: string;
}
/** An HTTP request to the program's own server (world `wasi:http/service`). */
export interface RequestOp {
  type: 'request';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  response: { status: number; headers: Record<string, string>; body: string };
}
export interface KillOp {
  type: 'kill';
  signal: NodeJS.Signals;
}

export type Operation = RunOp | WaitOp | ReadOp | WriteOp | ConnectOp | SendOp | RecvOp | RequestOp | KillOp;

export type World = 'wasi:cli/command' | 'wasi:http/service';
export type Proposal = 'http' | 'sockets';

/**
 * What a test server answers on one route: `static` sends `response`;
 * `echo-body` sends the request's body back; `echo-headers` sends the request
 * line and headers (and trailers) back as response headers.
 */
export type EndpointMode = 'static' | 'echo-body' | 'echo-headers';

export interface EndpointResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Sent chunked, one chunk each (then `body` is empty). */
  chunks?: string[];
  /** After the last chunk (only with `chunks`). */
  trailers: Record<string, string>;
}

export interface Endpoint {
  /** Upper-case. */
  method: string;
  /** Request target, query included, matched exactly. */
  path: string;
  mode: EndpointMode;
  /** Only in `static` mode. */
  response?: EndpointResponse;
}

/** An HTTP server the executor stands up before `run` for the program's outbound requests. */
export interface ServerSpec {
  /** The guest learns `host:port` from `HTTP_SERVER_<NAME upper-cased>`. */
  name: string;
  /** `closed`: an address nothing listens on, so connecting is refused. */
  kind: 'listening' | 'closed';
  endpoints: Endpoint[];
}

export interface TestSpec {
  operations: Operation[];
  proposals: Proposal[];
  world: World;
  servers: ServerSpec[];
}

/** The guest environment variable that carries a server's address. */
export function serverEnvVar(name: string): string {
  return `HTTP_SERVER_${name.toUpperCase()}`;
}

export class SpecError extends Error {
  override name = 'SpecError';
}

const LEGACY_KEYS = new Set(['args', 'root', 'env', 'exit_code', 'stderr', 'stdout']);
const KEYS = new Set(['operations', 'proposals', 'world', 'servers', 'debug']);
const WORLDS = new Set<string>(['wasi:cli/command', 'wasi:http/service']);
const PROPOSALS = new Set<string>(['http', 'sockets']);
const SIGNALS = new Set<string>(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGQUIT']);
const HTTP_METHODS = new Set<string>(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const MODES = new Set<string>(['static', 'echo-body', 'echo-headers']);

/** The specification of a test without a .json file. */
export function defaultSpec(): TestSpec {
  return {
    operations: [
      { type: 'run', args: [], env: {}, root: null },
      { type: 'wait', exitCode: 0 },
    ],
    proposals: [],
    world: 'wasi:cli/command',
    servers: [],
  };
}

/** Reads `NAME.json` for `NAME.wasm`; the default specification when there is none. */
export async function readSpec(wasmPath: string): Promise<TestSpec> {
  const jsonPath = wasmPath.replace(/\.wasm$/, '.json');
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return defaultSpec();
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${jsonPath}: ${(e as Error).message}`);
  }
  try {
    return parseSpec(json);
  } catch (e) {
    if (e instanceof SpecError) e.message = `${jsonPath}: ${e.message}`;
    throw e;
  }
}

/** Parses, fills defaults, converts the legacy form, and validates (throws `SpecError`). */
export function parseSpec(json: unknown): TestSpec {
  const c = object(json, 'specification');
  const keys = Object.keys(c);
  const legacy = keys.some((k) => LEGACY_KEYS.has(k));
  if (legacy && keys.some((k) => KEYS.has(k))) throw new SpecError('cannot mix legacy and operation-based keys');
  // Unknown keys are ignored, as the reference executor does (it only warns).
  const spec = legacy
    ? fromLegacy(c)
    : {
        operations: c.operations === undefined ? defaultSpec().operations : array(c.operations, 'operations').map(op),
        proposals: c.proposals === undefined ? [] : array(c.proposals, 'proposals').map(proposal),
        world: c.world === undefined ? 'wasi:cli/command' : world(c.world),
        servers: c.servers === undefined ? [] : servers(c.servers),
      };
  validate(spec.operations);
  return spec;
}

/** Legacy keys → run, read stdout / stderr (when given), wait. */
function fromLegacy(c: Record<string, unknown>): TestSpec {
  const ops: Operation[] = [run(c)];
  if (c.stdout !== undefined) ops.push({ type: 'read', id: 'stdout', payload: string(c.stdout, 'stdout') });
  if (c.stderr !== undefined) ops.push({ type: 'read', id: 'stderr', payload: string(c.stderr, 'stderr') });
  ops.push({ type: 'wait', exitCode: c.exit_code === undefined ? 0 : int(c.exit_code, 'exit_code') });
  // Tests that need proposals use the operation-based form.
  return { operations: ops, proposals: [], world: 'wasi:cli/command', servers: [] };
}

function run(o: Record<string, unknown>): RunOp {
  return {
    type: 'run',
    args: o.args === undefined ? [] : array(o.args, 'args').map((a) => string(a, 'args[]')),
    env: o.env === undefined ? {} : stringMap(o.env, 'env'),
    root: o.root === undefined || o.root === null ? null : string(o.root, 'root'),
  };
}

function op(json: unknown, i: number): Operation {
  const o = object(json, `operations[${i}]`);
  const where = `operations[${i}] (${String(o.type)})`;
  const payload = () => (o.payload === undefined ? '' : string(o.payload, `${where}.payload`));
  switch (o.type) {
    case 'run':
      return run(o);
    case 'wait':
      return { type: 'wait', exitCode: o.exit_code === undefined ? 0 : int(o.exit_code, `${where}.exit_code`) };
    case 'read': {
      const id = o.id ?? 'stdout';
      if (id !== 'stdout' && id !== 'stderr') throw new SpecError(`${where}: id must be stdout or stderr`);
      return { type: 'read', id, payload: payload() };
    }
    case 'write': {
      const id = o.id ?? 'stdin';
      if (id !== 'stdin') throw new SpecError(`${where}: id must be stdin`);
      return { type: 'write', id, payload: payload() };
    }
    case 'connect': {
      const protocol = o.protocol_type ?? 'tcp';
      if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'http')
        throw new SpecError(`${where}: protocol_type must be tcp, udp or http`);
      return { type: 'connect', id: o.id === undefined ? 'server' : string(o.id, `${where}.id`), protocol };
    }
    case 'send':
    case 'recv':
      if (o.id === undefined) throw new SpecError(`${where}: needs an id`);
      return { type: o.type, id: string(o.id, `${where}.id`), payload: payload() };
    case 'request': {
      const r = object(o.response ?? {}, `${where}.response`);
      return {
        type: 'request',
        method: o.method === undefined ? 'GET' : string(o.method, `${where}.method`),
        path: o.path === undefined ? '/' : string(o.path, `${where}.path`),
        headers: o.headers === undefined ? {} : stringMap(o.headers, `${where}.headers`),
        body: o.body === undefined ? '' : string(o.body, `${where}.body`),
        response: {
          status: r.status === undefined ? 200 : int(r.status, `${where}.response.status`),
          headers: r.headers === undefined ? {} : stringMap(r.headers, `${where}.response.headers`),
          body: r.body === undefined ? '' : string(r.body, `${where}.response.body`),
        },
      };
    }
    case 'kill': {
      const signal = o.signal === undefined ? 'SIGTERM' : string(o.signal, `${where}.signal`);
      if (!SIGNALS.has(signal)) throw new SpecError(`${where}: unknown signal ${signal}`);
      return { type: 'kill', signal: signal as NodeJS.Signals };
    }
    default:
      throw new SpecError(`${where}: unsupported operation type`);
  }
}

/**
 * The specification's rules: every `run` is paired with a `wait`; every other
 * operation comes while a program runs; connection ids are unique; `send` and
 * `recv` use a connection made before.
 */
export function validate(ops: Operation[]): void {
  let running = false;
  const connections = new Set<string>();
  ops.forEach((o, i) => {
    const where = `operations[${i}] (${o.type})`;
    if (o.type === 'run') {
      if (running) throw new SpecError(`${where}: the previous run has no wait`);
      running = true;
      return;
    }
    if (!running) throw new SpecError(`${where}: no program is running (needs a run before it)`);
    switch (o.type) {
      case 'wait':
        running = false;
        connections.clear();
        return;
      case 'connect':
        if (connections.has(o.id)) throw new SpecError(`${where}: connection id "${o.id}" is already used`);
        connections.add(o.id);
        return;
      case 'send':
      case 'recv':
        if (!connections.has(o.id)) throw new SpecError(`${where}: no connection "${o.id}" (needs a connect first)`);
        return;
      default:
        return;
    }
  });
  if (running) throw new SpecError('the last run has no wait');
}

function servers(json: unknown): ServerSpec[] {
  const list = array(json, 'servers').map(server);
  const upper = list.map((s) => s.name.toUpperCase());
  const dup = upper.find((n, i) => upper.indexOf(n) !== i);
  if (dup) throw new SpecError(`servers: duplicate name ${dup}`);
  return list;
}

function server(json: unknown, i: number): ServerSpec {
  const o = object(json, `servers[${i}]`);
  const name = o.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name))
    throw new SpecError(`servers[${i}]: name must be letters, digits or _`);
  const where = `servers[${i}] (${name})`;
  const kind = o.kind ?? 'listening';
  if (kind !== 'listening' && kind !== 'closed') throw new SpecError(`${where}: kind must be listening or closed`);
  if (kind === 'closed') {
    if (o.endpoints !== undefined) throw new SpecError(`${where}: a closed server takes no endpoints`);
    return { name, kind, endpoints: [] };
  }
  const endpoints = o.endpoints === undefined ? [] : array(o.endpoints, `${where}.endpoints`);
  return { name, kind, endpoints: endpoints.map((e, j) => endpoint(e, `${where}.endpoints[${j}]`)) };
}

function endpoint(json: unknown, where: string): Endpoint {
  const o = object(json, where);
  const method = (o.method === undefined ? 'GET' : string(o.method, `${where}.method`)).toUpperCase();
  if (!HTTP_METHODS.has(method)) throw new SpecError(`${where}: unknown method ${method}`);
  const path = o.path === undefined ? '/' : string(o.path, `${where}.path`);
  const mode = o.mode === undefined ? 'static' : string(o.mode, `${where}.mode`);
  if (!MODES.has(mode)) throw new SpecError(`${where}: unknown mode ${mode}`);
  if (mode !== 'static') {
    if (o.response !== undefined) throw new SpecError(`${where}: an endpoint in ${mode} mode takes no response`);
    return { method, path, mode: mode as EndpointMode };
  }
  return { method, path, mode: 'static', response: endpointResponse(o.response ?? '', `${where}.response`) };
}

function endpointResponse(json: unknown, where: string): EndpointResponse {
  // A string is short for { status: 200, body: it }.
  if (typeof json === 'string') return { status: 200, headers: {}, body: json, trailers: {} };
  const o = object(json, where);
  const r: EndpointResponse = {
    status: o.status === undefined ? 200 : int(o.status, `${where}.status`),
    headers: o.headers === undefined ? {} : stringMap(o.headers, `${where}.headers`),
    body: o.body === undefined ? '' : string(o.body, `${where}.body`),
    trailers: o.trailers === undefined ? {} : stringMap(o.trailers, `${where}.trailers`),
  };
  if (o.chunks !== undefined) {
    if (o.body !== undefined) throw new SpecError(`${where}: takes body or chunks, not both`);
    r.chunks = array(o.chunks, `${where}.chunks`).map((c, k) => string(c, `${where}.chunks[${k}]`));
  } else if (Object.keys(r.trailers).length > 0) {
    throw new SpecError(`${where}: trailers need chunks`);
  }
  return r;
}

function world(json: unknown): World {
  if (typeof json !== 'string' || !WORLDS.has(json)) throw new SpecError(`unknown world ${JSON.stringify(json)}`);
  return json as World;
}

function proposal(json: unknown): Proposal {
  if (typeof json !== 'string' || !PROPOSALS.has(json)) throw new SpecError(`unknown proposal ${JSON.stringify(json)}`);
  return json as Proposal;
}

function object(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new SpecError(`${what} must be an object`);
  return json as Record<string, unknown>;
}

function array(json: unknown, what: string): unknown[] {
  if (!Array.isArray(json)) throw new SpecError(`${what} must be a list`);
  return json;
}

function string(json: unknown, what: string): string {
  if (typeof json !== 'string') throw new SpecError(`${what} must be a string`);
  return json;
}

function int(json: unknown, what: string): number {
  if (!Number.isInteger(json)) throw new SpecError(`${what} must be an integer`);
  return json as number;
}

function stringMap(json: unknown, what: string): Record<string, string> {
  const o = object(json, what);
  for (const [k, v] of Object.entries(o)) string(v, `${what}.${k}`);
  return { ...(o as Record<string, string>) };
}
