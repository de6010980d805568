// A min-heap of pending waits keyed by deadline (ns, bigint), so any number of
// sleeping guest tasks costs one armed timer: the earliest one.

export interface Waiter {
  deadline: bigint;
  resolve: () => void;
  /** Heap slot; -1 once fired or removed. */
  index: number;
}

export class Deadlines {
  private readonly heap: Waiter[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest deadline, if any wait is pending. */
  peek(): bigint | undefined {
    return this.heap[0]?.deadline;
  }

  push(deadline: bigint, resolve: () => void): Waiter {
    const w: Waiter = { deadline, resolve, index: this.heap.length };
    this.heap.push(w);
    this.up(w.index);
    return w;
  }

  remove(w: Waiter): void {
    const i = w.index;
    if (i < 0) return;
    w.index = -1;
    const last = this.heap.pop()!;
    if (last === w) return;
    this.heap[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  /** Removes and resolves every wait whose deadline is at or before `now`; returns how many. */
  fire(now: bigint): number {
    let n = 0;
    while (this.heap.length > 0 && this.heap[0]!.deadline <= now) {
      const w = this.heap[0]!;
      this.remove(w);
      w.resolve();
      n++;
    }
    return n;
  }

  private up(i: number): void {
    const h = this.heap;
    const w = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.deadline <= w.deadline) break;
      h[i] = h[p]!;
      h[i]!.index = i;
      i = p;
    }
    h[i] = w;
    w.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const w = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1]!.deadline < h[c]!.deadline) c++;
      if (h[c]!.deadline >= w.deadline) break;
      h[i] = h[c]!;
      h[i]!.index = i;
      i = c;
    }
    h[i] = w;
    w.index = i;
  }
}

/** Rejects with the signal's reason (an AbortError by default). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The wait was aborted', 'AbortError');
}
