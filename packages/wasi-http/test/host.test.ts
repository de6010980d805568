// The host-side contract: an HttpError is what a guest receives as an `error-code`.

import { ComponentError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/host.ts';

describe('HttpError', () => {
  it('carries its error-code as the payload a result-returning import rejects with', () => {
    const e = new HttpError({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN', infoCode: undefined } });
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ComponentError);
    expect(e.payload).toEqual({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN', infoCode: undefined } });
    expect(Object.hasOwn(e, 'payload')).toBe(false);
    expect(e.message).toBe('DNS-error');
    expect(new HttpError({ tag: 'connection-refused' }, 'no listener').message).toBe('no listener');
  });
});
