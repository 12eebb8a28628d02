/** The default parser (vendored uap-core data) and its bounded LRU cache of parse results. */
import { UAP_CORE_REGEXES } from './regexes/uap-core-regexes';
import { UapParser } from './uap-rules';
import type { DeviceClass, ParsedUserAgent } from './uap-types';

let defaultParser: UapParser | undefined;

/** The parser over the vendored uap-core data (created on first use). */
export function getUapParser(): UapParser {
  return (defaultParser ??= new UapParser(UAP_CORE_REGEXES));
}

export interface CacheEntry {
  parsed: ParsedUserAgent;
  deviceClass?: DeviceClass;
}

/** Max distinct UA strings kept; UAs longer than CACHE_MAX_UA_LENGTH are parsed but not cached. */
export const CACHE_MAX_ENTRIES = 4096;
const CACHE_MAX_UA_LENGTH = 2048;
const cache = new Map<string, CacheEntry>();

export function cacheEntry(ua: string): CacheEntry {
  const hit = cache.get(ua);
  if (hit !== undefined) {
    // refresh recency (Map iterates in insertion order)
    cache.delete(ua);
    cache.set(ua, hit);
    return hit;
  }
  const entry: CacheEntry = { parsed: getUapParser().parse(ua) };
  if (ua.length <= CACHE_MAX_UA_LENGTH) {
    if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(ua, entry);
  }
  return entry;
}

function cloneParsed(p: ParsedUserAgent): ParsedUserAgent {
  return {
    string: p.string,
    user_agent: {
      family: p.user_agent.family,
      major: p.user_agent.major,
      minor: p.user_agent.minor,
      patch: p.user_agent.patch,
    },
    os: { family: p.os.family, major: p.os.major, minor: p.os.minor, patch: p.os.patch, patch_minor: p.os.patch_minor },
    device: { family: p.device.family, brand: p.device.brand, model: p.device.model },
  };
}

/**
 * Same result as Python `ua_parser.user_agent_parser.Parse(ua)` (ua-parser 1.0.2,
 * legacy API) with the vendored uap-core regexes. Results are cached (LRU);
 * every call returns a fresh object the caller may modify.
 */
export function parseUserAgent(ua: string): ParsedUserAgent {
  if (typeof ua !== 'string') throw new TypeError(`Expected user agent to be a string, got ${String(ua)}`);
  return cloneParsed(cacheEntry(ua).parsed);
}

/** Empty the parse cache (tests/benchmarks). */
export function clearUserAgentCache(): void {
  cache.clear();
}

/** Number of cached UA strings. */
export function userAgentCacheSize(): number {
  return cache.size;
}
