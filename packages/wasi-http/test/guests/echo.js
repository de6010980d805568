// A wasi:http/service handler that echoes (componentize-qjs):
// - the response status is `?status=N` (default 200);
// - the response headers are the request's, less the hop-by-hop ones, plus
//   `x-echo-method` and `x-echo-path` (the request's method and path-with-query);
// - the body is the request's, read and written a chunk at a time (backpressure
//   both ways: the next chunk is read once the last one is written), or with
//   `?forward=1` the request's body stream handed over as the response's;
// - the trailers are the request's, and with `?trailers=1` (even when the
//   request had none) `x-body-length: N` (bytes echoed) added.
import types from 'wasi:http/types@0.3.0';

const { Fields, Request, Response } = types;

const HOP_BY_HOP = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function utf8(s) {
  const out = [];
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function query(pathWithQuery) {
  const out = {};
  const q = (pathWithQuery ?? '').split('?')[1];
  if (!q) return out;
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) out[part] = '';
    else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function methodName(m) {
  return m.tag === 'other' ? m.val : m.tag.toUpperCase();
}

export const handler = {
  async handle(request) {
    const path = request.getPathWithQuery();
    const q = query(path);
    const entries = request.getHeaders().copyAll().filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
    entries.push(['x-echo-method', utf8(methodName(request.getMethod()))], ['x-echo-path', utf8(path ?? '')]);
    const headers = Fields.fromList(entries);

    const done = wit.Future(wit.Future.RESULT_VOID_ERROR_CODE);
    done.writable.write({ tag: 'ok', val: null });
    const [body, requestTrailers] = Request.consumeBody(request, done.readable);

    let response;
    if (q.forward === '1') {
      let sent;
      [response, sent] = Response.new(headers, body, requestTrailers);
      sent.drop();
    } else {
      const out = wit.Stream(wit.Stream.U8);
      const trailers = wit.Future(wit.Future.RESULT_OPTION_OTHER_ERROR_CODE);
      let sent;
      [response, sent] = Response.new(headers, out.readable, trailers.readable);
      sent.drop();
      pump(body, out.writable, requestTrailers, trailers.writable, q.trailers === '1');
    }
    if (q.status) response.setStatusCode(Number(q.status));
    return response;
  },
};

async function pump(body, out, requestTrailers, trailersOut, addLength) {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    await out.writeAll(chunk);
  }
  out.drop();
  const got = await requestTrailers.read();
  if (got.tag === 'err') {
    await trailersOut.write(got);
    return;
  }
  let trailers = got.val;
  if (addLength) {
    if (!trailers) trailers = new Fields();
    else {
      const copy = trailers.clone();
      trailers[Symbol.dispose]();
      trailers = copy;
    }
    trailers.set('x-body-length', [utf8(String(n))]);
  }
  await trailersOut.write({ tag: 'ok', val: trailers ?? null });
}
