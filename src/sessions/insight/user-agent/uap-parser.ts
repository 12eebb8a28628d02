/**
 * User-agent parsing that reproduces Python `ua-parser` 1.0.2's legacy
 * `ua_parser.user_agent_parser.Parse()` output (uap-core regexes), so that our
 * authentik-compatible API reports the same names authentik does.
 *
 * Semantics reproduced (legacy module):
 *  - every section is scanned in file order with Python `re.search`; the scan
 *    stops at the first rule yielding a truthy family, otherwise the values of
 *    the last rule tried are kept;
 *  - browser: `family_replacement` ("$1" substituted, no strip), literal
 *    `v1_replacement`/`v2_replacement`, otherwise groups 2..4 guarded by
 *    `match.lastindex`; family defaults to "Other", "" versions become null;
 *  - os: `os_replacement`, `os_v1_replacement`..`os_v4_replacement` with
 *    `$1`..`$9` substitution + strip (empty -> null), otherwise groups 1..5
 *    guarded by `lastindex` (kept as-is, as Python does); family "Other";
 *  - device: `device_replacement`/`brand_replacement`/`model_replacement`
 *    with substitution + strip, `regex_flag: 'i'` -> case-insensitive; model
 *    falls back to group 1; family defaults to "Other".
 *
 * Python regexes are translated to JS once per rule, lazily, on first use.
 * Two variants exist per rule: a fast one used for pure-ASCII subjects
 * without "\n" (where Python's Unicode-aware `\d \w \b . $` behave exactly like
 * the plain JS ones), and an exact Unicode one (`u` flag, `\p{..}` classes,
 * Python's `$`/`.` semantics) compiled only when a non-ASCII UA shows up.
 *
 * This file is the public entry point; the code lives beside it:
 *  - uap-types.ts: the result shapes;
 *  - python-regex.ts, python-regex-scanner.ts, regex-prefilter.ts: the translation
 *    of Python patterns and their prefilter literals;
 *  - py-regex-runtime.ts: `re.search` over the two compiled variants;
 *  - uap-rules.ts: UapParser, the rules with the legacy semantics above;
 *  - ua-cache.ts: the default parser and the LRU cache; device-class.ts: deviceClass().
 */
import { UAP_CORE_REGEXES } from './regexes/uap-core-regexes';

export type { DeviceClass, ParsedUserAgent, UapBrowser, UapDevice, UapOs } from './uap-types';
export { type RegexMode, type TranslatedRegex, translatePythonRegex, UnsupportedRegexError } from './python-regex';
export { UapParser, type UapParserDiagnostics } from './uap-rules';
export { CACHE_MAX_ENTRIES, clearUserAgentCache, getUapParser, parseUserAgent, userAgentCacheSize } from './ua-cache';
export { deviceClass } from './device-class';

/** Which uap-core snapshot the vendored regexes are, e.g. "69fe63b (2025-12-30)" (see regexes/NOTICE). */
export const UAP_CORE_VERSION: string = UAP_CORE_REGEXES.version;
