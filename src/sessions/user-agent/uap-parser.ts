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
 */
import { UAParser } from 'ua-parser-js';
import {
  UAP_CORE_REGEXES,
  type UapDeviceRule,
  type UapOsRule,
  type UapRegexData,
  type UapUserAgentRule,
} from './regexes/uap-core-regexes';

export interface UapBrowser {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
}
export interface UapOs {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
  patch_minor: string | null;
}
export interface UapDevice {
  family: string;
  brand: string | null;
  model: string | null;
}
export interface ParsedUserAgent {
  string: string;
  user_agent: UapBrowser;
  os: UapOs;
  device: UapDevice;
}

export type DeviceClass = 'smartphone' | 'tablet' | 'desktop' | 'bot' | 'other';

/** uap-core version of the vendored regexes. */
export const UAP_CORE_VERSION: string = UAP_CORE_REGEXES.version;

// ---------------------------------------------------------------------------
// Python `re` -> JavaScript RegExp translation
// ---------------------------------------------------------------------------

export type RegexMode = 'ascii' | 'unicode';

export interface TranslatedRegex {
  source: string;
  flags: string;
  /** Number of capturing groups of the Python pattern. */
  groupCount: number;
  /** Python group number -> JS group number (identity when null). */
  jsIndex: number[] | null;
  /** Python group numbers ordered by closing parenthesis, last first (for `lastindex`). */
  closeDesc: number[];
  /** A capture group sits inside a repeated (max > 1) group: JS resets it per iteration, Python does not. */
  repeatedCaptures: boolean;
  /**
   * Prefilter: every match contains one of these literals (lower-cased when
   * `literalsIgnoreCase`); null when no useful literal exists. Computed from the
   * pattern alone, so valid for any subject; only mode 'ascii' computes it
   * (patterns with non-ASCII characters get none).
   */
  literals: string[] | null;
  literalsIgnoreCase: boolean;
}

export class UnsupportedRegexError extends Error {}

/** Thrown internally when the ASCII fast variant cannot be used for a pattern. */
class NotAsciiSafe extends Error {}

const WS_ASCII = '\\t-\\r\\x1c-\\x20';
const WS_UNICODE = WS_ASCII + '\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const NON_WS_ASCII = '\\x00-\\x08\\x0e-\\x1b\\x21-\\uffff';
const WORD_UNICODE = '\\p{L}\\p{N}_';
const DIGIT_UNICODE = '\\p{Nd}';

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SPECIAL = new Set('\\]^-['.split(''));
const SIMPLE_ESCAPES = new Map<string, number>([
  ['a', 7],
  ['b', 8],
  ['f', 12],
  ['n', 10],
  ['r', 13],
  ['t', 9],
  ['v', 11],
  ['\\', 92],
]);

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeCodePoint(cp: number, inClass: boolean, mode: RegexMode): string {
  if (cp > 0x7f) {
    if (mode === 'ascii') throw new NotAsciiSafe();
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${hex(cp, 4)}`;
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  const ch = String.fromCharCode(cp);
  if (inClass ? CLASS_SPECIAL.has(ch) : SYNTAX_CHARS.has(ch)) return '\\' + ch;
  return ch;
}

type ClassEscape = { kind: 'literal'; cp: number } | { kind: 'set'; text: string } | { kind: 'negset'; text: string };

// --- required-literal analysis (prefilter) --------------------------------
// For each sub-pattern we track `exact` (the finite set of strings it can
// match, when small) and `req` (a set of literals, one of which occurs in
// every match; null = no constraint). A rule whose `req` literals are all
// absent from the subject cannot match, so its regex need not run.

interface LitInfo {
  exact: Set<string> | null;
  req: Set<string> | null;
}

const MAX_EXACT = 16;
/** Prefilter literal sets larger than this are dropped (testing them would cost more than the regex). */
const MAX_PREFILTER_LITERALS = 6;
const ANY: LitInfo = { exact: null, req: null };
const EMPTY: LitInfo = { exact: new Set(['']), req: null };

/** Text of very common UAs: literals found in it are poor filters (they occur in most subjects). */
const COMMON_UA_TEXT = [
  'Mozilla/5.0 (Linux; U; Android 10; en-us; K Build/QP1A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)',
].join('\n');
const COMMON_UA_TEXT_LOWER = COMMON_UA_TEXT.toLowerCase();

/** How good a set of alternative literals is as a prefilter (<= 0: unusable). */
function litScore(s: Set<string> | null): number {
  if (s === null || s.size === 0 || s.size > MAX_PREFILTER_LITERALS) return -1;
  let min = Infinity;
  let common = false;
  for (const x of s) {
    min = Math.min(min, x.length);
    if (COMMON_UA_TEXT.includes(x) || COMMON_UA_TEXT_LOWER.includes(x)) common = true;
  }
  if (min === 0) return -1;
  return (common ? 1 : 1000) * Math.min(min, 20) - s.size;
}

function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  return litScore(b) > litScore(a) ? b : a;
}

function cross(a: Set<string>, b: Set<string>): Set<string> {
  const r = new Set<string>();
  for (const x of a) for (const y of b) r.add(x + y);
  return r;
}

function reqOf(info: LitInfo): Set<string> | null {
  return better(litScore(info.req) > 0 ? info.req : null, litScore(info.exact) > 0 ? info.exact : null);
}

function seqInfo(items: LitInfo[]): LitInfo {
  let cur = new Set(['']);
  let allExact = true;
  let best: Set<string> | null = null;
  for (const it of items) {
    best = better(best, reqOf(it)); // each item's own requirement holds for the sequence
    if (it.exact !== null && cur.size * it.exact.size <= MAX_EXACT) {
      best = better(best, cur); // so does every run of adjacent exact items
      cur = cross(cur, it.exact);
      continue;
    }
    allExact = false;
    best = better(best, cur);
    cur = it.exact !== null && it.exact.size <= MAX_EXACT ? new Set(it.exact) : new Set(['']);
  }
  best = better(best, cur);
  return { exact: allExact ? cur : null, req: litScore(best) > 0 ? best : null };
}

function altInfo(alts: LitInfo[]): LitInfo {
  if (alts.length === 1) return alts[0] ?? ANY;
  let exact: Set<string> | null = new Set<string>();
  let req: Set<string> | null = new Set<string>();
  for (const a of alts) {
    if (exact !== null && a.exact !== null) for (const x of a.exact) exact.add(x);
    else exact = null;
    const r = reqOf(a);
    if (req !== null && r !== null) for (const x of r) req.add(x);
    else req = null;
  }
  if (exact !== null && exact.size > MAX_EXACT) exact = null;
  return { exact, req };
}

function quantInfo(inner: LitInfo, min: number, max: number): LitInfo {
  if (min === 0) {
    if (max === 1 && inner.exact !== null && inner.exact.size < MAX_EXACT) {
      return { exact: new Set([...inner.exact, '']), req: null };
    }
    return ANY;
  }
  if (min === 1 && max === 1) return inner;
  return { exact: null, req: reqOf(inner) };
}

interface Frame {
  kind: 'group' | 'capture' | 'atomic' | 'look';
  outStart: number;
  captureStart: number;
  origIndex?: number;
  helperId?: number;
  seq: LitInfo[];
  alts: LitInfo[];
}

const MARK = '\ue000'; // private-use char: the translated source is pure ASCII otherwise

/**
 * Translate a Python `re` pattern to a JS RegExp source.
 * mode 'ascii': valid only for subjects made of ASCII characters other than
 * "\n" (throws NotAsciiSafe if the pattern itself needs non-ASCII handling).
 * mode 'unicode': exact for any subject.
 */
export function translatePythonRegex(pattern: string, ignoreCase: boolean, mode: RegexMode): TranslatedRegex {
  const p = pattern;
  let i = 0;
  let out = '';
  let groupCount = 0;
  let helperCount = 0;
  let dotAll = false;
  let icase = ignoreCase;
  let repeatedCaptures = false;
  const names = new Map<string, number>();
  const closeOrder: number[] = [];
  const stack: Frame[] = [];
  let lastAtomStart = -1; // index in `out` of the last quantifiable atom
  let lastAtomCaptureStart = 0;
  let seq: LitInfo[] = []; // literal info of the current alternative's items
  let alts: LitInfo[] = []; // finished alternatives at the current level
  const unsupported = (what: string): never => {
    throw new UnsupportedRegexError(`${what} at position ${i} in ${JSON.stringify(p)}`);
  };
  const litChar = (cp: number): LitInfo => {
    const ch = String.fromCodePoint(cp);
    return { exact: new Set([icase ? ch.toLowerCase() : ch]), req: null };
  };

  // Python's IGNORECASE also matches U+0130 (lower() is "i") and U+0131 (upper() is "I") against i/I;
  // JS Unicode case folding does not, so those two are added explicitly (only the Unicode variant sees them).
  const DOTTED_I = '\\u0130\\u0131';
  const isI = (cp: number): boolean => cp === 0x69 || cp === 0x49;
  const literalAtom = (cp: number): string =>
    mode === 'unicode' && icase && isI(cp)
      ? `[${escapeCodePoint(cp, true, mode)}${DOTTED_I}]`
      : escapeCodePoint(cp, false, mode);

  const readHex = (len: number): number => {
    const h = p.slice(i, i + len);
    if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) unsupported('bad hex escape');
    i += len;
    return parseInt(h, 16);
  };

  // Escapes valid both inside and outside classes yielding one code point, or null.
  const codePointEscape = (c: string, inClass: boolean): number | null => {
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined && !(c === 'b' && !inClass)) return simple;
    if (c === 'x') return readHex(2);
    if (c === 'u') return readHex(4);
    if (c === 'U') {
      const cp = readHex(8);
      if (cp > 0x10ffff) unsupported('bad \\U escape');
      return cp;
    }
    if (c === 'N') return unsupported('\\N{...} escape');
    return null;
  };

  const classEscape = (): ClassEscape => {
    // p[i] is the char after the backslash
    const c = p[i++];
    if (c === undefined) return unsupported('trailing backslash');
    const cp = codePointEscape(c, true);
    if (cp !== null) return { kind: 'literal', cp };
    switch (c) {
      case 'd':
        return { kind: 'set', text: mode === 'ascii' ? '\\d' : DIGIT_UNICODE };
      case 'D':
        return { kind: 'set', text: mode === 'ascii' ? '\\D' : '\\P{Nd}' };
      case 'w':
        return { kind: 'set', text: mode === 'ascii' ? '\\w' : WORD_UNICODE };
      case 'W':
        return mode === 'ascii' ? { kind: 'set', text: '\\W' } : { kind: 'negset', text: WORD_UNICODE };
      case 's':
        return { kind: 'set', text: mode === 'ascii' ? WS_ASCII : WS_UNICODE };
      case 'S':
        return mode === 'ascii' ? { kind: 'set', text: NON_WS_ASCII } : { kind: 'negset', text: WS_UNICODE };
    }
    if (c >= '0' && c <= '7') {
      // octal escape, up to three digits
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(p[i] ?? '')) digits += p[i++];
      const v = parseInt(digits, 8);
      if (v > 0o377) unsupported('octal escape out of range');
      return { kind: 'literal', cp: v };
    }
    if (/[0-9A-Za-z]/.test(c)) return unsupported(`bad escape \\${c}`);
    return { kind: 'literal', cp: c.codePointAt(0)! };
  };

  const readLiteralChar = (): number => {
    const cp = p.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    return cp;
  };

  const parseClass = (): { text: string; info: LitInfo } => {
    // p[i-1] === '['
    const negate = p[i] === '^';
    if (negate) i++;
    const start = i;
    let pos = '';
    const neg: string[] = [];
    let chars: Set<string> | null = new Set<string>(); // plain literal members, for the prefilter
    let coversI = false;
    for (;;) {
      if (i >= p.length) unsupported('unterminated character set');
      if (p[i] === ']' && i !== start) {
        i++;
        break;
      }
      let item: ClassEscape;
      if (p[i] === '\\') {
        i++;
        item = classEscape();
      } else {
        item = { kind: 'literal', cp: readLiteralChar() };
      }
      if (p[i] === '-' && i + 1 < p.length) {
        if (p[i + 1] === ']') {
          // trailing '-' is literal
          i++;
          chars = null;
          if (item.kind === 'literal') {
            pos += escapeCodePoint(item.cp, true, mode);
            if (isI(item.cp)) coversI = true;
          } else if (item.kind === 'set') pos += item.text;
          else neg.push(item.text);
          pos += '\\-';
          continue;
        }
        i++;
        let hi: ClassEscape;
        if (p[i] === '\\') {
          i++;
          hi = classEscape();
        } else {
          hi = { kind: 'literal', cp: readLiteralChar() };
        }
        if (item.kind !== 'literal' || hi.kind !== 'literal') return unsupported('bad character range');
        if (hi.cp < item.cp) unsupported('bad character range');
        pos += `${escapeCodePoint(item.cp, true, mode)}-${escapeCodePoint(hi.cp, true, mode)}`;
        if ((item.cp <= 0x69 && hi.cp >= 0x69) || (item.cp <= 0x49 && hi.cp >= 0x49)) coversI = true;
        chars = null;
        continue;
      }
      if (item.kind === 'literal') {
        pos += escapeCodePoint(item.cp, true, mode);
        if (isI(item.cp)) coversI = true;
        const ch = String.fromCodePoint(item.cp);
        chars?.add(icase ? ch.toLowerCase() : ch);
      } else {
        chars = null;
        if (item.kind === 'set') pos += item.text;
        else neg.push(item.text);
      }
    }
    if (coversI && icase && mode === 'unicode') pos += DOTTED_I;
    const info: LitInfo = !negate && chars !== null && chars.size <= 4 ? { exact: chars, req: null } : ANY;
    if (neg.length === 0) return { text: negate ? `[^${pos}]` : `[${pos}]`, info };
    if (!negate) {
      const parts = pos ? [`[${pos}]`] : [];
      for (const n of neg) parts.push(`[^${n}]`);
      return { text: `(?:${parts.join('|')})`, info };
    }
    // not in pos and inside every negated set
    let s = '(?:';
    if (pos) s += `(?![${pos}])`;
    for (let k = 0; k < neg.length - 1; k++) s += `(?=[${neg[k]}])`;
    return { text: s + `[${neg[neg.length - 1]}])`, info };
  };

  const wordBoundary = (negated: boolean): string => {
    if (mode === 'ascii') return negated ? '\\B' : '\\b';
    const w = `[${WORD_UNICODE}]`;
    return negated ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  };

  const emitAtom = (text: string, info: LitInfo = ANY): void => {
    lastAtomStart = out.length;
    lastAtomCaptureStart = groupCount;
    out += text;
    seq.push(info);
  };
  const emitAssertion = (text: string): void => {
    lastAtomStart = -1;
    out += text;
    seq.push(EMPTY);
  };
  const openFrame = (f: Omit<Frame, 'seq' | 'alts'>): void => {
    stack.push({ ...f, seq, alts });
    seq = [];
    alts = [];
  };

  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      i++;
      const e = p[i];
      if (e === undefined) return unsupported('trailing backslash');
      switch (e) {
        case 'A':
          i++;
          emitAssertion('^');
          continue;
        case 'Z':
          i++;
          emitAssertion('$');
          continue;
        case 'b':
          i++;
          emitAssertion(wordBoundary(false));
          continue;
        case 'B':
          i++;
          emitAssertion(wordBoundary(true));
          continue;
      }
      if (e >= '1' && e <= '9') {
        // group reference, or octal escape when three octal digits
        if (/^[0-7]{3}/.test(p.slice(i))) {
          const v = parseInt(p.slice(i, i + 3), 8);
          if (v > 0o377) unsupported('octal escape out of range');
          i += 3;
          emitAtom(literalAtom(v), litChar(v));
          continue;
        }
        const digits = /^[0-9]{1,2}/.exec(p.slice(i))?.[0] ?? e;
        const n = parseInt(digits, 10);
        if (n > groupCount || stack.some((f) => f.origIndex === n)) unsupported('invalid group reference');
        i += digits.length;
        emitAtom(`${MARK}Bo${n}${MARK}`);
        continue;
      }
      if (e === '0') {
        let digits = '';
        while (digits.length < 3 && /[0-7]/.test(p[i] ?? '')) digits += p[i++];
        const v = parseInt(digits, 8);
        emitAtom(literalAtom(v), litChar(v));
        continue;
      }
      const item = classEscape();
      if (item.kind === 'literal') emitAtom(literalAtom(item.cp), litChar(item.cp));
      else if (item.kind === 'set') emitAtom(/^\\[a-zA-Z]$/.test(item.text) ? item.text : `[${item.text}]`);
      else emitAtom(`[^${item.text}]`);
      continue;
    }
    if (c === '[') {
      i++;
      const cls = parseClass();
      emitAtom(cls.text, cls.info);
      continue;
    }
    if (c === '(') {
      i++;
      const outStart = out.length;
      if (p[i] === '?') {
        i++;
        const k = p[i];
        if (k === ':') {
          i++;
          out += '(?:';
          openFrame({ kind: 'group', outStart, captureStart: groupCount });
        } else if (k === 'P' && p[i + 1] === '<') {
          const end = p.indexOf('>', i + 2);
          if (end < 0) unsupported('unterminated group name');
          const name = p.slice(i + 2, end);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || names.has(name)) unsupported('bad group name');
          i = end + 1;
          groupCount++;
          names.set(name, groupCount);
          out += `(${MARK}Co${groupCount}${MARK}`;
          openFrame({ kind: 'capture', outStart, captureStart: groupCount - 1, origIndex: groupCount });
        } else if (k === 'P' && p[i + 1] === '=') {
          const end = p.indexOf(')', i + 2);
          if (end < 0) unsupported('unterminated group reference');
          const n = names.get(p.slice(i + 2, end));
          if (n === undefined || stack.some((f) => f.origIndex === n)) return unsupported('bad group reference');
          i = end + 1;
          emitAtom(`${MARK}Bo${n}${MARK}`);
        } else if (k === '=' || k === '!') {
          i++;
          out += `(?${k}`;
          openFrame({ kind: 'look', outStart, captureStart: groupCount });
        } else if (k === '<' && (p[i + 1] === '=' || p[i + 1] === '!')) {
          out += `(?<${p[i + 1]}`;
          i += 2;
          openFrame({ kind: 'look', outStart, captureStart: groupCount });
        } else if (k === '>') {
          i++;
          helperCount++;
          out += `(?:(?=(${MARK}Ch${helperCount}${MARK}`;
          openFrame({ kind: 'atomic', outStart, captureStart: groupCount, helperId: helperCount });
        } else if (k === '#') {
          const end = p.indexOf(')', i);
          if (end < 0) unsupported('unterminated comment');
          i = end + 1;
        } else if (k !== undefined && /[aiLmsux-]/.test(k)) {
          const m = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(p.slice(i));
          if (!m) return unsupported('bad inline flags');
          if (m[3] === ':' || m[2] !== undefined) unsupported('scoped inline flags');
          if (outStart !== 0 || stack.length) unsupported('global flags not at the start');
          for (const f of m[1] ?? '') {
            if (f === 'i') icase = true;
            else if (f === 's') dotAll = true;
            else if (f !== 'u') unsupported(`inline flag ${f}`);
          }
          i += m[0].length;
        } else {
          unsupported('unknown extension (?' + (k ?? ''));
        }
      } else {
        groupCount++;
        out += `(${MARK}Co${groupCount}${MARK}`;
        openFrame({ kind: 'capture', outStart, captureStart: groupCount - 1, origIndex: groupCount });
      }
      continue;
    }
    if (c === ')') {
      i++;
      const f = stack.pop();
      if (!f) return unsupported('unbalanced parenthesis');
      if (f.kind === 'atomic') out += `))${MARK}Bh${f.helperId}${MARK})`;
      else out += ')';
      if (f.kind === 'capture') closeOrder.push(f.origIndex!);
      alts.push(seqInfo(seq));
      const inner = f.kind === 'look' ? EMPTY : altInfo(alts);
      seq = f.seq;
      alts = f.alts;
      seq.push(inner);
      lastAtomStart = f.outStart;
      // a capture group repeated on its own keeps Python semantics; only captures nested in it matter
      lastAtomCaptureStart = f.kind === 'capture' ? f.captureStart + 1 : f.captureStart;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let q: string;
      let min: number;
      let max: number;
      if (c === '{') {
        const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(p.slice(i));
        if (m && p[i + 1] !== '}') {
          min = m[1] ? parseInt(m[1], 10) : 0;
          max = m[2] ? (m[3] ? parseInt(m[3], 10) : Infinity) : min;
          if (max < min) unsupported('min repeat greater than max repeat');
          q = max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
          i += m[0].length;
        } else {
          i++;
          emitAtom('\\{', litChar(0x7b));
          continue;
        }
      } else {
        q = c;
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : Infinity;
        i++;
      }
      if (lastAtomStart < 0) unsupported('nothing to repeat');
      if (max > 1 && groupCount > lastAtomCaptureStart) repeatedCaptures = true;
      seq.push(quantInfo(seq.pop() ?? ANY, min, max));
      const suffix = p[i];
      if (suffix === '?') {
        i++;
        out += q + '?';
      } else if (suffix === '+') {
        // possessive: atomic group around atom+quantifier
        i++;
        helperCount++;
        const atom = out.slice(lastAtomStart);
        out =
          out.slice(0, lastAtomStart) +
          `(?:(?=(${MARK}Ch${helperCount}${MARK}${atom}${q}))${MARK}Bh${helperCount}${MARK})`;
      } else {
        out += q;
      }
      lastAtomStart = -1; // a quantifier cannot be quantified again in Python
      continue;
    }
    if (c === '.') {
      i++;
      if (mode === 'ascii') emitAtom('.');
      else emitAtom(dotAll ? '[\\s\\S]' : '[^\\n]');
      continue;
    }
    if (c === '^') {
      i++;
      emitAssertion('^');
      continue;
    }
    if (c === '$') {
      i++;
      emitAssertion(mode === 'ascii' ? '$' : '(?=\\n?$)');
      continue;
    }
    if (c === '|') {
      i++;
      out += '|';
      lastAtomStart = -1;
      alts.push(seqInfo(seq));
      seq = [];
      continue;
    }
    const cp = readLiteralChar();
    emitAtom(literalAtom(cp), litChar(cp));
  }
  if (stack.length) unsupported('missing )');
  alts.push(seqInfo(seq));
  const req = reqOf(altInfo(alts));
  // a literal containing another one of the set is redundant
  const literals = req !== null ? [...req].filter((x) => ![...req].some((y) => y !== x && x.includes(y))).sort() : null;

  // Number JS groups by their opening marker, then resolve back-references.
  const jsNumbers = new Map<string, number>();
  let n = 0;
  for (const m of out.matchAll(/\ue000C([oh]\d+)\ue000/g)) jsNumbers.set(m[1]!, ++n);
  const source = out
    .replace(/\ue000C[oh]\d+\ue000/g, '')
    .replace(/\ue000B([oh]\d+)\ue000/g, (_m, id: string) => `\\${jsNumbers.get(id)}(?:)`);
  let jsIndex: number[] | null = null;
  if (helperCount > 0) {
    jsIndex = [0];
    for (let g = 1; g <= groupCount; g++) jsIndex.push(jsNumbers.get(`o${g}`)!);
  }
  let flags = mode === 'ascii' ? 's' : 'u';
  if (icase) flags += 'i';
  return {
    source,
    flags,
    groupCount,
    jsIndex,
    closeDesc: closeOrder.slice().reverse(),
    repeatedCaptures,
    literals,
    literalsIgnoreCase: icase,
  };
}

// ---------------------------------------------------------------------------
// Compiled rules
// ---------------------------------------------------------------------------

/** Subjects with a char outside ASCII, or with "\n", need the exact Unicode variants. */
// eslint-disable-next-line no-control-regex -- deliberately about control chars
const NEEDS_FULL = /[^\0-\t\x0b-\x7f]/;

/** The string being parsed, with what the rules need to know about it. */
class Subject {
  /** true when the ASCII fast regex variants apply. */
  readonly ascii: boolean;
  private lowerCache: string | undefined;

  constructor(readonly s: string) {
    this.ascii = !NEEDS_FULL.test(s);
  }

  /**
   * Haystack for case-insensitive literals: lower-cased, with the non-ASCII chars that Python's
   * IGNORECASE matches against ASCII letters (U+0130, U+0131, U+017F; U+212A lower-cases to "k")
   * mapped to those letters, so a match always leaves its literal in here.
   */
  get lower(): string {
    if (this.lowerCache === undefined) {
      this.lowerCache = this.ascii
        ? this.s.toLowerCase()
        : this.s
            .replace(/\u0130/g, 'i')
            .toLowerCase()
            .replace(/\u0131/g, 'i')
            .replace(/\u017f/g, 's');
    }
    return this.lowerCache;
  }
}

class PyRegex {
  private fast: RegExp | null | undefined; // undefined: not compiled yet; null: pattern not ASCII-safe
  private full: RegExp | undefined;
  private info!: TranslatedRegex;
  private literals: string[] | null = null;
  private literalsIgnoreCase = false;

  constructor(
    readonly pattern: string,
    readonly ignoreCase: boolean,
    private readonly prefilter: boolean,
  ) {}

  /** Compile both variants now (throws on unsupported syntax). */
  compileAll(): TranslatedRegex {
    this.fastRegex();
    this.fullRegex();
    return this.info;
  }

  private fastRegex(): RegExp | null {
    if (this.fast === undefined) {
      try {
        const t = translatePythonRegex(this.pattern, this.ignoreCase, 'ascii');
        this.info = t;
        this.literals = this.prefilter ? t.literals : null;
        this.literalsIgnoreCase = t.literalsIgnoreCase;
        this.fast = new RegExp(t.source, t.flags);
      } catch (e) {
        if (!(e instanceof NotAsciiSafe)) throw e;
        this.fast = null;
      }
    }
    return this.fast;
  }

  private fullRegex(): RegExp {
    if (this.full === undefined) {
      const t = translatePythonRegex(this.pattern, this.ignoreCase, 'unicode');
      this.info = t;
      this.full = new RegExp(t.source, t.flags);
    }
    return this.full;
  }

  /** Python `re.search`; returns a PyMatch or null. */
  search(subject: Subject): PyMatch | null {
    const fast = this.fastRegex(); // also computes the literals
    const lits = this.literals;
    if (lits !== null) {
      // every match contains one of the literals (whatever the subject): skip the regex when none is there
      const hay = this.literalsIgnoreCase ? subject.lower : subject.s;
      let found = false;
      for (let k = 0; k < lits.length; k++) {
        if (hay.includes(lits[k]!)) {
          found = true;
          break;
        }
      }
      if (!found) return null;
    }
    const re = subject.ascii && fast !== null ? fast : this.fullRegex();
    const m = re.exec(subject.s);
    return m === null ? null : new PyMatch(m, this.info);
  }
}

class PyMatch {
  constructor(
    private readonly m: RegExpExecArray,
    private readonly info: TranslatedRegex,
  ) {}

  /** len(match.groups()) */
  get groupCount(): number {
    return this.info.groupCount;
  }

  /** match[g]: string, or null when the group did not participate. */
  group(g: number): string | null {
    const idx = this.info.jsIndex ? (this.info.jsIndex[g] ?? -1) : g;
    const v = this.m[idx];
    return v === undefined ? null : v;
  }

  /** match.lastindex (0 for None): the participating group whose ')' was matched last. */
  get lastindex(): number {
    for (const g of this.info.closeDesc) if (this.group(g) !== null) return g;
    return 0;
  }
}

/** Python's str.strip() (same whitespace set as `\s`). */
const PY_STRIP = new RegExp(`^[${WS_UNICODE}]+|[${WS_UNICODE}]+$`, 'g');

/** ua-parser's MultiReplace: `$N` -> group N ("" if absent), strip, "" -> null. */
function multiReplace(template: string, m: PyMatch): string | null {
  const n = m.groupCount;
  const s = template
    .replace(/\$(\d)/g, (_x, d: string) => {
      let idx = parseInt(d, 10) - 1;
      if (idx >= n) return '';
      if (idx < 0) idx += n; // Python negative index: "$0" is the last group
      if (idx < 0) return '';
      return m.group(idx + 1) ?? '';
    })
    .replace(PY_STRIP, '');
  return s === '' ? null : s;
}

/** Python re.sub() processing of a replacement *string* (used for "$1" in family_replacement). */
function pyTemplate(s: string): string {
  if (!s.includes('\\')) return s;
  let r = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      r += c;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined || e === 'g' || /[0-9]/.test(e)) return s; // Python raises here; keep literal
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) r += String.fromCharCode(simple);
    else if (/[A-Za-z]/.test(e))
      return s; // bad escape: Python raises; keep literal
    else r += '\\' + e;
    i++;
  }
  return r;
}

interface UaRule {
  re: PyRegex;
  family: string | undefined;
  v1: string | undefined;
  v2: string | undefined;
}
interface OsRule {
  re: PyRegex;
  os: string | undefined;
  v1: string | undefined;
  v2: string | undefined;
  v3: string | undefined;
  v4: string | undefined;
}
interface DeviceRule {
  re: PyRegex;
  device: string | undefined;
  brand: string | undefined;
  model: string | undefined;
}

// Python truthiness of the optional replacement strings: "" counts as absent.
const opt = (v: string | undefined): string | undefined => (v ? v : undefined);

export interface UapParserDiagnostics {
  rules: number;
  failed: { section: string; index: number; regex: string; error: string }[];
  repeatedCaptures: { section: string; index: number; regex: string }[];
}

/** A parser bound to one regex data set (the default one uses the vendored uap-core). */
export class UapParser {
  private readonly ua: UaRule[];
  private readonly os: OsRule[];
  private readonly device: DeviceRule[];

  /**
   * @param options.prefilter skip a rule's regex when a literal every match must
   *   contain is absent (default true; false exists to test that it never changes results).
   */
  constructor(
    data: Pick<UapRegexData, 'user_agent_parsers' | 'os_parsers' | 'device_parsers'>,
    options: { prefilter?: boolean } = {},
  ) {
    const prefilter = options.prefilter ?? true;
    this.ua = data.user_agent_parsers.map((r: UapUserAgentRule) => ({
      re: new PyRegex(r.regex, false, prefilter),
      family: opt(r.family_replacement),
      v1: opt(r.v1_replacement),
      v2: opt(r.v2_replacement),
    }));
    this.os = data.os_parsers.map((r: UapOsRule) => ({
      re: new PyRegex(r.regex, false, prefilter),
      os: opt(r.os_replacement),
      v1: opt(r.os_v1_replacement),
      v2: opt(r.os_v2_replacement),
      v3: opt(r.os_v3_replacement),
      v4: opt(r.os_v4_replacement),
    }));
    this.device = data.device_parsers.map((r: UapDeviceRule) => ({
      re: new PyRegex(r.regex, r.regex_flag === 'i', prefilter),
      device: opt(r.device_replacement),
      brand: opt(r.brand_replacement),
      model: opt(r.model_replacement),
    }));
  }

  /** Compile every regex (both variants) and report problems; used by tests and for warm-up. */
  compileAll(): UapParserDiagnostics {
    const diag: UapParserDiagnostics = { rules: 0, failed: [], repeatedCaptures: [] };
    const sections: [string, { re: PyRegex }[]][] = [
      ['user_agent_parsers', this.ua],
      ['os_parsers', this.os],
      ['device_parsers', this.device],
    ];
    for (const [section, rules] of sections) {
      rules.forEach((r, index) => {
        diag.rules++;
        try {
          const info = r.re.compileAll();
          if (info.repeatedCaptures) diag.repeatedCaptures.push({ section, index, regex: r.re.pattern });
        } catch (e) {
          diag.failed.push({ section, index, regex: r.re.pattern, error: (e as Error).message });
        }
      });
    }
    return diag;
  }

  parse(s: string): ParsedUserAgent {
    if (typeof s !== 'string') throw new TypeError(`Expected user agent to be a string, got ${String(s)}`);
    const subject = new Subject(s);
    return {
      string: s,
      user_agent: this.parseUa(subject),
      os: this.parseOs(subject),
      device: this.parseDevice(subject),
    };
  }

  private parseUa(subject: Subject): UapBrowser {
    let family: string | null = null;
    let v1: string | null = null;
    let v2: string | null = null;
    let v3: string | null = null;
    for (const r of this.ua) {
      family = v1 = v2 = v3 = null;
      const m = r.re.search(subject);
      if (m === null) continue;
      if (r.family) {
        family = r.family.includes('$1') ? r.family.split('$1').join(pyTemplate(m.group(1) ?? '')) : r.family;
      } else {
        family = m.group(1);
      }
      const last = m.lastindex;
      if (r.v1) v1 = r.v1;
      else if (last >= 2) v1 = m.group(2) || null;
      if (r.v2) v2 = r.v2;
      else if (last >= 3) v2 = m.group(3) || null;
      if (last >= 4) v3 = m.group(4) || null;
      if (family) break;
    }
    return { family: family || 'Other', major: v1 || null, minor: v2 || null, patch: v3 || null };
  }

  private parseOs(subject: Subject): UapOs {
    let os: string | null = null;
    let v1: string | null = null;
    let v2: string | null = null;
    let v3: string | null = null;
    let v4: string | null = null;
    for (const r of this.os) {
      os = v1 = v2 = v3 = v4 = null;
      const m = r.re.search(subject);
      if (m === null) continue;
      const last = m.lastindex;
      if (r.os) os = multiReplace(r.os, m);
      else if (last) os = m.group(1);
      if (r.v1) v1 = multiReplace(r.v1, m);
      else if (last >= 2) v1 = m.group(2);
      if (r.v2) v2 = multiReplace(r.v2, m);
      else if (last >= 3) v2 = m.group(3);
      if (r.v3) v3 = multiReplace(r.v3, m);
      else if (last >= 4) v3 = m.group(4);
      if (r.v4) v4 = multiReplace(r.v4, m);
      else if (last >= 5) v4 = m.group(5);
      if (os) break;
    }
    return { family: os || 'Other', major: v1, minor: v2, patch: v3, patch_minor: v4 };
  }

  private parseDevice(subject: Subject): UapDevice {
    let device: string | null = null;
    let brand: string | null = null;
    let model: string | null = null;
    for (const r of this.device) {
      device = brand = model = null;
      const m = r.re.search(subject);
      if (m === null) continue;
      device = r.device ? multiReplace(r.device, m) : m.group(1);
      if (r.brand) brand = multiReplace(r.brand, m);
      if (r.model) model = multiReplace(r.model, m);
      else if (m.groupCount > 0) model = m.group(1);
      if (device) break;
    }
    return { family: device === null ? 'Other' : device, brand, model };
  }
}

// ---------------------------------------------------------------------------
// Default parser + bounded LRU cache
// ---------------------------------------------------------------------------

let defaultParser: UapParser | undefined;

/** The parser over the vendored uap-core data (created on first use). */
export function getUapParser(): UapParser {
  return (defaultParser ??= new UapParser(UAP_CORE_REGEXES));
}

interface CacheEntry {
  parsed: ParsedUserAgent;
  deviceClass?: DeviceClass;
}

/** Max distinct UA strings kept; UAs longer than CACHE_MAX_UA_LENGTH are parsed but not cached. */
export const CACHE_MAX_ENTRIES = 4096;
const CACHE_MAX_UA_LENGTH = 2048;
const cache = new Map<string, CacheEntry>();

function cacheEntry(ua: string): CacheEntry {
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

// ---------------------------------------------------------------------------
// Device class (ua-parser-js 1.x, MIT)
// ---------------------------------------------------------------------------

const uaParserJs = new UAParser();
const DESKTOP_OS =
  /^(?:windows|mac os|chromium os|linux|[kxl]?ubuntu|debian|suse|opensuse|gentoo|arch|slackware|fedora|mandriva|centos|pclinuxos|red ?hat|zenwalk|linpus|raspbian|mint|mageia|vectorlinux|deepin|manjaro|elementary os|sabayon|linspire|gnu|hurd|[-a-z]{0,5}bsd|dragonfly|haiku|solaris|opensolaris|sunos|aix|beos|os\/2|amigaos|morphos|openvms|hp-ux|serenityos|unix|plan 9|minix|risc os)$/i;

/**
 * Coarse device class:
 *  - 'bot': uap-core classifies the device as "Spider" (crawlers, monitors, bots);
 *  - otherwise ua-parser-js 1.x's device type: 'mobile' -> 'smartphone', 'tablet' -> 'tablet';
 *    no type and a desktop OS (Windows, Mac OS, Linux distros, Chromium OS, BSDs, ...) -> 'desktop';
 *  - everything else (smart TVs, consoles, wearables, embedded, unknown) -> 'other'.
 */
export function deviceClass(ua: string): DeviceClass {
  if (typeof ua !== 'string') throw new TypeError(`Expected user agent to be a string, got ${String(ua)}`);
  const entry = cacheEntry(ua);
  if (entry.deviceClass === undefined) entry.deviceClass = computeDeviceClass(ua, entry.parsed);
  return entry.deviceClass;
}

function computeDeviceClass(ua: string, parsed: ParsedUserAgent): DeviceClass {
  if (parsed.device.family === 'Spider') return 'bot';
  if (ua.trim() === '') return 'other';
  uaParserJs.setUA(ua);
  switch (uaParserJs.getDevice().type) {
    case 'mobile':
      return 'smartphone';
    case 'tablet':
      return 'tablet';
    case undefined: {
      const os = uaParserJs.getOS().name;
      return os !== undefined && DESKTOP_OS.test(os) ? 'desktop' : 'other';
    }
    default:
      return 'other';
  }
}
