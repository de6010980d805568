// Writing results into a page: each demo has a <section data-demo=NAME> with a <pre>; its
// data-state (running, ok, error) is what the browser test waits for and checks.

import type { DemoResult } from './demos.ts';
import { describeError } from './demos.ts';

export function section(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`section[data-demo="${name}"]`);
  if (!el) throw new Error(`no section for ${name}`);
  return el;
}

export async function runInto(name: string, demo: () => Promise<DemoResult>): Promise<void> {
  const el = section(name);
  const out = el.querySelector('pre')!;
  el.dataset.state = 'running';
  out.textContent = '…';
  try {
    const r = await demo();
    out.textContent = r.lines.join('\n');
    el.dataset.state = r.ok ? 'ok' : 'error';
  } catch (e) {
    out.textContent = describeError(e);
    el.dataset.state = 'error';
  }
}
