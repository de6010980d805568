// `--allow-net SPEC` (repeatable), `--allow-name-lookup` and `--inherit-network`, shared by
// `weft run` and `weft serve`.
// A spec is checked here (by @weft/wasi-sockets' rule parser), before anything loads, so a typo is a usage error (exit 2) that names
// the flag and says what was expected, not a guest that later finds every connect denied.

import { PolicyError, parseAllowRule } from '@weft/wasi-sockets';
import { UsageError } from '../errors.ts';

/** What the network flags asked for. */
export interface NetArgs {
  /** `--allow-net HOST:PORTS`, in order, as given (each checked by parseAllowNet). */
  allowNet?: string[];
  /** `--inherit-network`: every address, and the host's name lookup. */
  inheritNetwork?: boolean;
  /** `--allow-name-lookup`: ip-name-lookup may use the host's resolver (as Wasmtime's -S allow-ip-name-lookup). */
  allowNameLookup?: boolean;
}

const EXPECTED =
  'expected HOST:PORTS, HOST an IPv4 address, [IPv6], a CIDR (10.0.0.0/8, [fd00::]/8) or *, PORTS * or N or N-M (0-65535), e.g. 127.0.0.1:8000-9000';

/**
 * Checks one `--allow-net` value with the socket policy's own parser (one grammar, one set of
 * errors) and returns it unchanged; a PolicyError becomes a usage error naming the flag.
 */
export function parseAllowNet(value: string): string {
  try {
    parseAllowRule(value);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new UsageError(`--allow-net ${JSON.stringify(value)}: ${e.reason}; ${EXPECTED}`);
  }
  return value;
}

/** Takes `name` (with `value`) into `args` if it is one of the network flags; false if not. */
export function takeNetFlag(args: NetArgs, name: string, value: string | undefined): boolean {
  if (name === '--allow-net') (args.allowNet ??= []).push(parseAllowNet(value!));
  else if (name === '--inherit-network') args.inheritNetwork = true;
  else if (name === '--allow-name-lookup') args.allowNameLookup = true;
  else return false;
  return true;
}

/** The socket options (`@weft/wasi-sockets`' NetworkOptions) the flags ask for; undefined: no network. */
export function networkOptions(args: NetArgs): { inherit: boolean; allow: string[]; lookup?: boolean } | undefined {
  const allow = args.allowNet ?? [];
  if (!args.inheritNetwork && allow.length === 0 && !args.allowNameLookup) return undefined;
  return { inherit: args.inheritNetwork === true, allow, ...(args.allowNameLookup ? { lookup: true } : {}) };
}
