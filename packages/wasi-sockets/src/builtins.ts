// Node built-ins, loaded when first used (process.getBuiltinModule) rather than imported, so
// that importing this package outside Node (a browser, workerd) works: there, kernel sockets and
// the host resolver are `not-supported`, and virtual ones still work.

type Get = (id: string) => unknown;

export function builtin<T>(id: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: Get } }).process?.getBuiltinModule;
  return get?.(id) as T | undefined;
}
