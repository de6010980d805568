// The linker's view of resources (runtime/resource-type.ts): making runtime resource types for
// definitions and host classes, and the JS class the host sees for each.

import {
  createResourceType,
  getWrapperClass,
  isGuestDefined,
  type ResourceRuntimeType,
} from '../runtime/resource-type.ts';
import type { ResourceType } from '../types/model.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { RESOURCE } from './runtime.ts';

/** A fresh runtime type for a `(resource (rep i32) (dtor f)?)` definition, per instantiation. */
export function newGuestResource(
  stat: ResourceType | undefined,
  inst: ComponentInstance,
  dtor: Function | undefined,
): ResourceRuntimeType {
  return createResourceType(stat?.name ?? 'resource', inst, dtor as ((rep: number) => unknown) | undefined);
}

const byClass = new WeakMap<object, ResourceRuntimeType>();

/** The runtime type of a host class: one per class, so every import naming it agrees. `name()` names a new one. */
export function hostResource(cls: unknown, name: () => string): ResourceRuntimeType {
  if (typeof cls !== 'function') return createResourceType(name());
  let rt = byClass.get(cls);
  if (!rt) {
    rt = createResourceType(cls.name || name(), undefined, undefined, cls as abstract new (...a: never[]) => object);
    byClass.set(cls, rt);
  }
  return rt;
}

/** The class the host sees for a resource: the host's own, or the guest wrapper class. */
export function resourceClass(t: ResourceType, exportName: string): Function {
  const rt = t as ResourceRuntimeType;
  // Definitions carry no name of their own; the first export names the class.
  if (!rt.name || (rt.name === 'resource' && !rt.wrapperClass)) rt.name = exportName;
  const cls: Function = isGuestDefined(rt) ? getWrapperClass(rt) : (rt.hostClass ?? anonymousClass(rt));
  if (!Object.hasOwn(cls, RESOURCE)) Object.defineProperty(cls, RESOURCE, { value: rt });
  return cls;
}

function anonymousClass(rt: ResourceRuntimeType): Function {
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: rt.name });
  rt.hostClass = cls;
  byClass.set(cls, rt);
  return cls;
}
