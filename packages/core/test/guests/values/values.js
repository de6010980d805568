// Guest implementation of values.wit. QuickJS in componentize-qjs has no
// TextEncoder, so nothing here relies on it.

let created = 0;

class Counter {
  constructor(initial) {
    this.n = initial;
    created++;
  }
  increment(by) {
    this.n += by;
    return this.n;
  }
  value() {
    return this.n;
  }
  static withValue(initial) {
    return new Counter(initial);
  }
}

const parseInt32 = (s) => {
  if (!/^-?\d+$/.test(s)) throw new Error('bad');
  return Number(s) | 0;
};

export const api = {
  Counter,
  readCounter: (c) => c.value(),
  mergeCounters: (a, b) => new Counter(a.value() + b.value()),
  createdCounters: () => created,

  negate: (b) => !b,
  wrapU8: (x) => x & 0xff,
  addS64: (a, b) => a + b,
  half: (x) => x / 2,
  nextChar: (c) => String.fromCodePoint(c.codePointAt(0) + 1),

  concat: (a, b) => a + b,
  reverseBytes: (b) => Uint8Array.from(b).reverse(),
  sumBytes: (b) => {
    let s = 0;
    for (const x of b) s += x;
    return s;
  },
  join: (parts, sep) => parts.join(sep),
  split: (s, sep) => s.split(sep),
  scale: (xs, k) => Array.from(xs, (x) => x * k),

  translate: (p, dx, dy) => ({ x: p.x + dx, y: p.y + dy }),
  makePeople: (n) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push({ name: `p${i}`, age: 20 + i, tags: i % 2 ? ['odd'] : ['even', `n${i}`] });
    return out;
  },
  oldest: (people) => {
    let best = null;
    for (const p of people) if (best === null || p.age > best.age) best = p;
    return best;
  },

  area: (s) => {
    switch (s.tag) {
      case 'circle':
        return 3 * s.val * s.val;
      case 'rect':
        return s.val.x * s.val.y;
      default:
        return 0;
    }
  },
  makeShape: (kind) => {
    if (kind === 0) return { tag: 'circle', val: 1.5 };
    if (kind === 1) return { tag: 'rect', val: { x: 2, y: 3 } };
    return { tag: 'empty' };
  },
  nextColor: (c) => ({ red: 'green', green: 'blue', blue: 'red' })[c],
  togglePerms: (p) => ({ read: !p.read, write: !p.write, exec: !p.exec }),

  maybeDouble: (x) => (x === null || x === undefined ? null : x * 2),
  nestedOption: (x) => x,

  checkedDiv: (a, b) => {
    if (b === 0) throw 'division by zero';
    return (a / b) | 0;
  },
  checkAge: (age) => {
    if (age < 18) throw 'red';
    if (age > 150) throw 'blue';
  },
  tryParse: (xs) =>
    xs.map((s) => {
      try {
        return { tag: 'ok', val: parseInt32(s) };
      } catch {
        return { tag: 'err', val: `not a number: ${s}` };
      }
    }),

  swap: (t) => [t[1], t[0]],
  minMax: (xs) => (xs.length === 0 ? null : [Math.min(...xs), Math.max(...xs)]),
};

export function add(a, b) {
  return (a + b) >>> 0;
}
export function echo(s) {
  return s;
}
export function echoBytes(b) {
  return b;
}
