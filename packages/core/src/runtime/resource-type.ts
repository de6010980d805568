// Runtime resource types (definitions.py ResourceType: impl + dtor) and the JS
// face of guest-defined resources: a lazily made class per type whose
// instances carry {rep, state} and drop the resource on [Symbol.dispose]().

import { enterFrom, leaveTo, setCaller } from './instance-entry.ts';
import { HostValueError, hostThrew, poisonWith } from './errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import { pascalCase } from '../host/js-names.ts';
import type { ResourceType } from '../types/model.ts';

export type WrapperState = 'own' | 'borrowed' | 'moved' | 'dropped' | 'expired';

export interface GuestResource {
  /** The guest's i32 representation. */
  rep: number;
  state: WrapperState;
  [Symbol.dispose](): void;
}

export type GuestResourceClass = (new (...args: any[]) => GuestResource) & { readonly prototype: GuestResource };

export interface ResourceRuntimeType extends ResourceType {
  /** The defining instance, or undefined for a host-defined resource. */
  impl: ComponentInstance | undefined;
  /** Core destructor of a guest-defined resource. */
  dtor: ((rep: number) => unknown) | undefined;
  /** For host-defined resources: the class whose instances are the reps (optional check). */
  hostClass: (abstract new (...args: never[]) => object) | undefined;
  /** For guest-defined resources: the JS class of wrappers, made on first use. */
  wrapperClass: GuestResourceClass | undefined;
  /** Set by the linker when the resource has a constructor export: `new Class(...)` calls it. */
  construct?: (...args: any[]) => GuestResource;
}

export function createResourceType(
  name: string,
  impl?: ComponentInstance,
  dtor?: (rep: number) => unknown,
  hostClass?: abstract new (...args: never[]) => object,
): ResourceRuntimeType {
  return {
    kind: 'resource',
    name,
    rep: impl ? 'i32' : undefined,
    hasDtor: dtor !== undefined,
    impl,
    dtor,
    hostClass,
    wrapperClass: undefined,
  };
}

export function isGuestDefined(rt: ResourceType): boolean {
  return (rt as ResourceRuntimeType).impl !== undefined;
}

export function getWrapperClass(rt: ResourceRuntimeType): GuestResourceClass {
  if (rt.wrapperClass) return rt.wrapperClass;
  const name = pascalCase(rt.name);
  const holder = {
    [name]: class {
      declare rep: number;
      declare state: WrapperState;
      constructor(...args: any[]) {
        const c = rt.construct;
        if (!c) throw new TypeError(`resource ${rt.name} has no constructor`);
        return c(...args);
      }
      [Symbol.dispose](): void {
        if (this.state !== 'own') return;
        this.state = 'dropped';
        runDtor(rt, this.rep, undefined);
      }
    },
  };
  const cls = holder[name] as unknown as GuestResourceClass;
  rt.wrapperClass = cls;
  return cls;
}

/** A wrapper object for a rep the host now holds (own) or may use during one call (borrowed). */
export function wrap(rt: ResourceRuntimeType, rep: number, state: WrapperState): GuestResource {
  const w = Object.create(getWrapperClass(rt).prototype) as GuestResource;
  w.rep = rep;
  w.state = state;
  return w;
}

/** Throws unless `w` may still be used (not dropped, moved or expired). */
export function assertUsable(rt: ResourceType, w: GuestResource): void {
  switch (w.state) {
    case 'own':
    case 'borrowed':
      return;
    case 'moved':
      throw new HostValueError(
        `resource ${rt.name} was moved (its ownership passed to a component) and can no longer be used`,
      );
    case 'dropped':
      throw new HostValueError(`resource ${rt.name} has been dropped`);
    default:
      throw new HostValueError(`borrowed resource ${rt.name} was used after the call that lent it returned`);
  }
}

/** Runs a resource's destructor for an owned rep being dropped by `caller` (undefined: the host). */
export function runDtor(rt: ResourceRuntimeType, rep: any, caller: ComponentInstance | undefined): void {
  const impl = rt.impl;
  if (impl === undefined) {
    // Host-defined: the rep is the host object. Whatever its disposer throws
    // (any value, a revoked Proxy) traps and poisons a guest that dropped it.
    const prev = setCaller(undefined);
    try {
      const d = rep?.[Symbol.dispose];
      if (typeof d === 'function') d.call(rep);
    } catch (e) {
      if (caller === undefined) throw e;
      throw hostThrew(caller, e);
    } finally {
      setCaller(prev);
    }
    return;
  }
  const dtor = rt.dtor;
  if (dtor === undefined) return;
  enterFrom(impl, caller);
  try {
    dtor(rep);
  } catch (e) {
    throw poisonWith(impl, e);
  } finally {
    leaveTo(impl, caller);
  }
}
