// Guest-controlled strings (import and export names, core names) can be megabytes
// long: messages quote them through `shortName`, so an error stays readable.

/**
 * `s` itself when at most `max` characters; otherwise its first `max / 2` and
 * last `max / 10` characters around `…(N more)…`, N counting what was left out.
 */
export function shortName(s: string, max = 1024): string {
  if (s.length <= max) return s;
  let head = Math.floor(max / 2);
  let tail = s.length - Math.floor(max / 10);
  // Never split a surrogate pair.
  if (isHigh(s.charCodeAt(head - 1))) head--;
  if (isLow(s.charCodeAt(tail))) tail++;
  return `${s.slice(0, head)}…(${tail - head} more)…${s.slice(tail)}`;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
