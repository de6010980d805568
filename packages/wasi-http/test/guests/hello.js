// A minimal wasi:http/service handler (componentize-qjs): 200, `content-type:
// text/plain`, the body "hello". It never reads the request.
import types from 'wasi:http/types@0.3.0';

const { Fields, Response } = types;
// "hello" (QuickJS has no TextEncoder)
const BODY = new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f]);
const TEXT_PLAIN = new Uint8Array([0x74, 0x65, 0x78, 0x74, 0x2f, 0x70, 0x6c, 0x61, 0x69, 0x6e]);

export const handler = {
  async handle(request) {
    request[Symbol.dispose]();
    const headers = Fields.fromList([['content-type', TEXT_PLAIN]]);
    const body = wit.Stream(wit.Stream.U8);
    // No trailers: the future resolves to ok(none).
    const trailers = wit.Future(wit.Future.RESULT_OPTION_OTHER_ERROR_CODE);
    trailers.writable.write({ tag: 'ok', val: null });
    const [response, sent] = Response.new(headers, body.readable, trailers.readable);
    sent.drop();
    body.writable.writeAll(BODY).then(() => body.writable.drop());
    return response;
  },
};
