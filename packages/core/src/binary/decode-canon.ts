// `canon` definitions (Binary.md "Canonical Definitions"): every opcode and
// its immediates. Option conflicts are recorded, not thrown: validation owns them.

import type { Canon, CanonOpts, StringEncoding } from './ir.ts';
import type { Reader } from './reader.ts';
import { coreValType } from './decode-core.ts';
import { resultList } from './decode-types.ts';

const encodings: StringEncoding[] = ['utf8', 'utf16', 'latin1+utf16'];

function opts(r: Reader): CanonOpts {
  const n = r.count();
  const o: CanonOpts = {};
  for (let i = 0; i < n; i++) {
    const b = r.u8();
    switch (b) {
      case 0x00:
      case 0x01:
      case 0x02: {
        const enc = encodings[b]!;
        if (o.stringEncoding !== undefined) {
          o.duplicate ??=
            o.stringEncoding === enc
              ? `canonical encoding option \`${enc}\` is specified more than once`
              : `canonical encoding option \`${o.stringEncoding}\` conflicts with option \`${enc}\``;
        } else {
          o.stringEncoding = enc;
        }
        break;
      }
      case 0x03:
        index(o, 'memory', r.u32());
        break;
      case 0x04:
        index(o, 'realloc', r.u32());
        break;
      case 0x05:
        index(o, 'postReturn', r.u32());
        break;
      case 0x06:
        if (o.async) o.duplicate ??= 'canonical option `async` is specified more than once';
        o.async = true;
        break;
      case 0x07:
        index(o, 'callback', r.u32());
        break;
      default:
        r.badByte(b, 'canonical option');
    }
  }
  return o;
}

const optNames = { memory: 'memory', realloc: 'realloc', postReturn: 'post-return', callback: 'callback' };

function index(o: CanonOpts, key: 'memory' | 'realloc' | 'postReturn' | 'callback', idx: number): void {
  if (o[key] !== undefined) o.duplicate ??= `canonical option \`${optNames[key]}\` is specified more than once`;
  else o[key] = idx;
}

type CancellableKind = Extract<Canon, { cancellable: boolean; memory?: never }>['kind'];
const cancellableOps: Record<number, CancellableKind> = {
  0x29: 'thread.suspend',
  0x0c: 'thread.yield',
  0x2a: 'thread.suspend-then-resume',
  0x2b: 'thread.yield-then-resume',
  0x2c: 'thread.suspend-then-promote',
  0x2d: 'thread.yield-then-promote',
};

export function canon(r: Reader): Canon {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      r.expect(0x00, 'canonical function lift');
      const coreFunc = r.u32();
      const o = opts(r);
      return { kind: 'lift', coreFunc, opts: o, typeIdx: r.u32() };
    }
    case 0x01: {
      r.expect(0x00, 'canonical function lower');
      const func = r.u32();
      return { kind: 'lower', func, opts: opts(r) };
    }
    case 0x02:
      return { kind: 'resource.new', typeIdx: r.u32() };
    case 0x03:
      return { kind: 'resource.drop', typeIdx: r.u32() };
    case 0x04:
      return { kind: 'resource.rep', typeIdx: r.u32() };
    case 0x24:
      return { kind: 'backpressure.inc' };
    case 0x25:
      return { kind: 'backpressure.dec' };
    case 0x09: {
      const result = resultList(r);
      const o = opts(r);
      return result === undefined ? { kind: 'task.return', opts: o } : { kind: 'task.return', result, opts: o };
    }
    case 0x05:
      return { kind: 'task.cancel' };
    case 0x0a: {
      const type = coreValType(r);
      return { kind: 'context.get', type, index: r.u32() };
    }
    case 0x0b: {
      const type = coreValType(r);
      return { kind: 'context.set', type, index: r.u32() };
    }
    case 0x06:
      return { kind: 'subtask.cancel', async: r.bool() };
    case 0x0d:
      return { kind: 'subtask.drop' };
    case 0x0e:
      return { kind: 'stream.new', typeIdx: r.u32() };
    case 0x0f: {
      const typeIdx = r.u32();
      return { kind: 'stream.read', typeIdx, opts: opts(r) };
    }
    case 0x10: {
      const typeIdx = r.u32();
      return { kind: 'stream.write', typeIdx, opts: opts(r) };
    }
    case 0x11: {
      const typeIdx = r.u32();
      return { kind: 'stream.cancel-read', typeIdx, async: r.bool() };
    }
    case 0x12: {
      const typeIdx = r.u32();
      return { kind: 'stream.cancel-write', typeIdx, async: r.bool() };
    }
    case 0x13:
      return { kind: 'stream.drop-readable', typeIdx: r.u32() };
    case 0x14:
      return { kind: 'stream.drop-writable', typeIdx: r.u32() };
    case 0x15:
      return { kind: 'future.new', typeIdx: r.u32() };
    case 0x16: {
      const typeIdx = r.u32();
      return { kind: 'future.read', typeIdx, opts: opts(r) };
    }
    case 0x17: {
      const typeIdx = r.u32();
      return { kind: 'future.write', typeIdx, opts: opts(r) };
    }
    case 0x18: {
      const typeIdx = r.u32();
      return { kind: 'future.cancel-read', typeIdx, async: r.bool() };
    }
    case 0x19: {
      const typeIdx = r.u32();
      return { kind: 'future.cancel-write', typeIdx, async: r.bool() };
    }
    case 0x1a:
      return { kind: 'future.drop-readable', typeIdx: r.u32() };
    case 0x1b:
      return { kind: 'future.drop-writable', typeIdx: r.u32() };
    case 0x1c:
      return { kind: 'error-context.new', opts: opts(r) };
    case 0x1d:
      return { kind: 'error-context.debug-message', opts: opts(r) };
    case 0x1e:
      return { kind: 'error-context.drop' };
    case 0x1f:
      return { kind: 'waitable-set.new' };
    case 0x20: {
      const cancellable = r.cancellable();
      return { kind: 'waitable-set.wait', cancellable, memory: r.u32() };
    }
    case 0x21: {
      const cancellable = r.cancellable();
      return { kind: 'waitable-set.poll', cancellable, memory: r.u32() };
    }
    case 0x22:
      return { kind: 'waitable-set.drop' };
    case 0x23:
      return { kind: 'waitable.join' };
    case 0x26:
      return { kind: 'thread.index' };
    case 0x27: {
      const typeIdx = r.u32();
      return { kind: 'thread.new-indirect', typeIdx, table: r.u32() };
    }
    case 0x28:
      return { kind: 'thread.resume-later' };
    case 0x29:
    case 0x0c:
    case 0x2a:
    case 0x2b:
    case 0x2c:
    case 0x2d:
      return { kind: cancellableOps[b]!, cancellable: r.cancellable() };
    case 0x40: {
      const shared = r.bool();
      return { kind: 'thread.spawn-ref', shared, typeIdx: r.u32() };
    }
    case 0x41: {
      const shared = r.bool();
      const typeIdx = r.u32();
      return { kind: 'thread.spawn-indirect', shared, typeIdx, table: r.u32() };
    }
    case 0x42:
      return { kind: 'thread.available-parallelism', shared: r.bool() };
    default:
      return r.badByte(b, 'canonical function');
  }
}
