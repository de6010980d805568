// A promise with its settle functions outside (ES2024's Promise.withResolvers, which the
// project's ES2023 target does not type yet).

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** A new Deferred; with `quiet`, its rejection is marked handled (whoever it reaches may ignore it). */
export function deferred<T>(quiet = false): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  if (quiet) promise.catch(() => {});
  return { promise, resolve, reject };
}
