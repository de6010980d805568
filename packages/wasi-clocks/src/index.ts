export { type Clock, RealClock, VirtualClock, type VirtualClockOptions } from './clock.ts';
export {
  type ClocksImports,
  type ClocksOptions,
  createClocks,
  fromInstant,
  type Instant,
  monotonicClock,
  type MonotonicClockHost,
  realClock,
  systemClock,
  type SystemClockHost,
  timezone,
  type TimezoneHost,
  toInstant,
} from './host.ts';
