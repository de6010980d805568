// How WIT names become JS names (jco's conventions): one place for every layer.

/** `foo-bar` → `fooBar`: functions, record fields, flags. */
export function camelCase(label: string): string {
  return label.replace(/-([a-z0-9])/gi, (_m, c: string) => c.toUpperCase());
}

/** `foo-bar` → `FooBar`: resource classes. */
export function pascalCase(label: string): string {
  const c = camelCase(label);
  return c.charAt(0).toUpperCase() + c.slice(1);
}
