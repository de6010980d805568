import { describe, expect, it } from 'vitest';
import { camelCase, canonVersion, findImportKey, parseFuncName, pascalCase } from '../src/link/names.ts';

describe('import name matching', () => {
  it('canonicalises versions as the Explainer says', () => {
    expect(canonVersion('1.2.3')).toBe('1');
    expect(canonVersion('0.2.6-rc.1')).toBe('0.2');
    expect(canonVersion('0.0.1-alpha')).toBe('0.0.1-alpha');
  });
  it('serves an import from a compatible version, preferring exact then highest', () => {
    const offered = ['wasi:cli/stdout@0.3.0', 'wasi:cli/stdout@0.3.2', 'wasi:cli/stdout@0.2.0'];
    expect(findImportKey('wasi:cli/stdout@0.3.0', offered)).toBe('wasi:cli/stdout@0.3.0');
    expect(findImportKey('wasi:cli/stdout@0.3.1', offered)).toBe('wasi:cli/stdout@0.3.2');
    expect(findImportKey('wasi:cli/stdout@0.2.9', offered)).toBe('wasi:cli/stdout@0.2.0');
    expect(findImportKey('wasi:cli/stdout@0.4.0', offered)).toBeUndefined();
    expect(findImportKey('wasi:cli/stderr@0.3.0', offered)).toBeUndefined();
    expect(findImportKey('wasi:http/types@0.3.0-rc-2026-03-15', ['wasi:http/types@0.3.0'])).toBe(
      'wasi:http/types@0.3.0',
    );
  });
  it('converts labels to JS names', () => {
    expect(camelCase('get-stdout')).toBe('getStdout');
    expect(pascalCase('input-stream')).toBe('InputStream');
    expect(parseFuncName('[method]input-stream.read')).toEqual({
      kind: 'method',
      resource: 'input-stream',
      name: 'read',
    });
    expect(parseFuncName('[constructor]r')).toEqual({ kind: 'constructor', resource: 'r', name: 'r' });
    expect(parseFuncName('greet')).toEqual({ kind: 'plain', name: 'greet' });
  });
});
