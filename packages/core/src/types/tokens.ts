// External-visibility bookkeeping (Explainer "External Visibility of Types").
// A type index introduced by an import or export (or an alias of one) carries a
// name token; handle types built from that index, and the copies of
// record/variant/enum/flags types it holds, remember the token. Resource
// identity is untouched: only whether the *reference* was through a name.

import { TypeMemo } from './type-memo.ts';

export interface NameToken {
  /** The import/export name (or alias export name). */
  name: string;
  mode: 'import' | 'export';
  /** The scope object the name was introduced in. */
  scope: object;
  /** True for a root-level import/export of that scope (not an alias of an instance export). */
  root: boolean;
}

// Only validation reads tokens: outside a walk the table stays empty, so
// copyToken (substitution at link time) adds nothing.
const tokens = new TypeMemo<NameToken>();

export function tokenOf(node: object): NameToken | undefined {
  return tokens.get(node);
}

export function setToken(node: object, t: NameToken | undefined): void {
  if (t) tokens.set(node, t);
}

/** Carries a token across a rebuilt node (substitution). */
export function copyToken(from: object, to: object): void {
  if (from === to) return;
  const t = tokens.get(from);
  if (t) tokens.set(to, t);
}
