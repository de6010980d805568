// Page 1: components fetched as .wasm and compiled in the page (Component.compile), so this
// page needs 'wasm-unsafe-eval' if it has a CSP at all (the csp/ page needs none).
//
//   ?demo=values|streams|trap   runs that demo on load
//   ?command                    runs the command form on load; its fields (component, args,
//                               files, stdin) may come from the query too

import { Component } from '@weft/core';
import { commandDemo } from './command.ts';
import { type Instantiate, streamsDemo, trapDemo, valuesDemo } from './demos.ts';
import { runInto } from './view.ts';

const compiled = new Map<string, Promise<Component>>();

/** Fetches and compiles a component once per URL. */
function load(url: string): Promise<Component> {
  let c = compiled.get(url);
  if (!c) {
    c = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return Component.compile(new Uint8Array(await r.arrayBuffer()));
    });
    compiled.set(url, c);
  }
  return c;
}

const from =
  (url: string): Instantiate =>
  async () =>
    (await load(url)).instantiate({});

const DEMOS = {
  values: () => valuesDemo(from('guests/values.wasm')),
  streams: () => streamsDemo(from('guests/streams.wasm')),
  trap: () => trapDemo(from('guests/trap.wasm')),
};

document.querySelectorAll<HTMLButtonElement>('button[data-run]').forEach((button) => {
  const name = button.dataset.run as keyof typeof DEMOS;
  button.addEventListener('click', () => void runInto(name, DEMOS[name]));
});

const form = document.querySelector<HTMLFormElement>('form#command')!;
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;

function runCommandForm(): Promise<void> {
  const url = field('component').value;
  return runInto('command', () =>
    commandDemo(async (imports) => (await load(url)).instantiate(imports), {
      args: field('args').value.split(/\s+/).filter(Boolean),
      files: field('files').value,
      stdin: field('stdin').value,
    }),
  );
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void runCommandForm();
});

const query = new URLSearchParams(location.search);
for (const name of ['component', 'args', 'files', 'stdin']) {
  const v = query.get(name);
  if (v !== null) field(name).value = v;
}
if (query.has('command')) void runCommandForm();
const demo = query.get('demo');
if (demo && demo in DEMOS) void runInto(demo, DEMOS[demo as keyof typeof DEMOS]);
