// The `request` operation: one HTTP request to the program's own server (a
// `wasi:http/service` program under `weft serve`), on a fresh connection, and
// its response held against the expectation. As the reference executor (Python
// `requests`): a body is sent only when non-empty, `Content-Length: 0` for an
// empty one unless the method is GET or HEAD; a header's repeated values are
// compared joined with ", "; header names compare case-insensitively.

import { request as httpRequest } from 'node:http';
import type { RequestOp } from './spec.ts';

export interface HttpResult {
  status: number;
  /** Lower-cased names; repeated values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** Bodies past this are cut off (a test's expected bodies are short strings). */
const MAX_BODY = 16 * 1024 * 1024;

/** Sends `op` to `base` (`http://host:port/...`); rejects on a network error or when `signal` aborts. */
export function send(base: URL, op: RequestOp, signal: AbortSignal): Promise<HttpResult> {
  const headers: Record<string, string> = { ...op.headers };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  const body = Buffer.from(op.body);
  if (!has('content-length') && !has('transfer-encoding') && (body.length > 0 || !['GET', 'HEAD'].includes(op.method)))
    headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        // URL keeps an IPv6 host in brackets; the socket wants it bare.
        host: base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: base.port || 80,
        method: op.method,
        path: joinPath(base.pathname, op.path),
        headers,
        agent: false,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) res.destroy(new Error(`response body over ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headersDistinct)) if (v) h[k] = v.join(', ');
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
    req.end(body.length > 0 ? body : undefined);
  });
}

/** What is wrong with `got`, or undefined when it is what `op` expects. */
export function mismatch(op: RequestOp, got: HttpResult): string | undefined {
  const want = op.response;
  if (got.status !== want.status) return `expected status ${want.status}, got ${got.status}${bodyNote(got)}`;
  for (const [name, value] of Object.entries(want.headers)) {
    const actual = got.headers[name.toLowerCase()];
    if (actual === undefined) return `the response has no ${name} header`;
    if (actual !== value) return `expected header ${name}: ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`;
  }
  const body = Buffer.from(want.body);
  if (!got.body.equals(body)) return `expected body ${quote(body)}, got ${quote(got.body)}`;
  return undefined;
}

function bodyNote(got: HttpResult): string {
  return got.body.length > 0 ? ` (body ${quote(got.body)})` : '';
}

/** The server's base path (from its URL) and the operation's path, as the reference joins them. */
function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  return path.startsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

export function quote(b: Buffer): string {
  const s = JSON.stringify(b.toString('utf8'));
  return s.length > 200 ? `${s.slice(0, 200)}…" (${b.length} bytes)` : s;
}
