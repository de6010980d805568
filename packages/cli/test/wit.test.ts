import { describe, expect, it } from 'vitest';
import type { ComponentType, ExternType, ResourceType, ValType } from '@weft/core';
import { printWorld } from '../src/wit.ts';

const P = (kind: string) => ({ kind }) as ValType;

describe('printWorld', () => {
  it('prints funcs, interfaces, resources and named types', () => {
    const res: ResourceType = { kind: 'resource', name: 'blob' };
    const point = {
      kind: 'record',
      fields: [
        { label: 'x', type: P('s32') },
        { label: 'y', type: P('s32') },
      ],
    } as ValType;
    const iface: ExternType = {
      kind: 'instance',
      type: {
        kind: 'instance',
        exports: new Map<string, ExternType>([
          ['point', { kind: 'type', type: point }],
          ['blob', { kind: 'type', type: res }],
          [
            '[constructor]blob',
            {
              kind: 'func',
              type: {
                kind: 'func',
                async: false,
                params: [{ label: 'init', type: { kind: 'list', elem: P('u8') } as ValType }],
                result: { kind: 'own', resource: res } as ValType,
              },
            },
          ],
          [
            '[method]blob.size',
            {
              kind: 'func',
              type: {
                kind: 'func',
                async: false,
                params: [{ label: 'self', type: { kind: 'borrow', resource: res } as ValType }],
                result: P('u32'),
              },
            },
          ],
          ['origin', { kind: 'func', type: { kind: 'func', async: true, params: [], result: point } }],
        ]),
      },
    };
    const world: ComponentType = {
      kind: 'component',
      imports: new Map([['my:pkg/shapes@1.0.0', iface]]),
      exports: new Map<string, ExternType>([
        [
          'greet',
          {
            kind: 'func',
            type: {
              kind: 'func',
              async: false,
              params: [{ label: 'name', type: P('string') }],
              result: { kind: 'result', ok: P('string') } as ValType,
            },
          },
        ],
      ]),
    };
    expect(printWorld(world)).toBe(
      [
        'world root {',
        '  import my:pkg/shapes@1.0.0: interface {',
        '    resource blob {',
        '      constructor(init: list<u8>);',
        '      size: func() -> u32;',
        '    }',
        '    record point { x: s32, y: s32 }',
        '    origin: async func() -> point;',
        '  }',
        '  export greet: func(name: string) -> result<string>;',
        '}',
      ].join('\n'),
    );
  });
});
