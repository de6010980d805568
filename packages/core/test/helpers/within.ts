// Rejects if `p` has not settled within `ms`: a hang is a failure, not a stuck test run.
export function within<T>(p: Promise<T>, ms = 2000, what = 'result'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
