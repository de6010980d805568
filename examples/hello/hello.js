// The whole guest: one exported function, lifted to `greet: func(name: string) -> string`.
export function greet(name) {
  return `Hello, ${name}!`;
}
