/**
 * Character-level reading of a Python `re` pattern for translatePythonRegex:
 * escapes, character classes, literal atoms and word boundaries, emitted as
 * JS RegExp source for one RegexMode.
 */
import { ANY, type LitInfo } from './regex-prefilter';

export type RegexMode = 'ascii' | 'unicode';

export class UnsupportedRegexError extends Error {}

/** Thrown internally when the ASCII fast variant cannot be used for a pattern. */
export class NotAsciiSafe extends Error {}

const WS_ASCII = '\\t-\\r\\x1c-\\x20';
export const WS_UNICODE = WS_ASCII + '\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const NON_WS_ASCII = '\\x00-\\x08\\x0e-\\x1b\\x21-\\uffff';
const WORD_UNICODE = '\\p{L}\\p{N}_';
const DIGIT_UNICODE = '\\p{Nd}';

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SPECIAL = new Set('\\]^-['.split(''));
export const SIMPLE_ESCAPES = new Map<string, number>([
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

// Python's IGNORECASE also matches U+0130 (lower() is "i") and U+0131 (upper() is "I") against i/I;
// JS Unicode case folding does not, so those two are added explicitly (only the Unicode variant sees them).
const DOTTED_I = '\\u0130\\u0131';
const isI = (cp: number): boolean => cp === 0x69 || cp === 0x49;

/** Reading position in a Python pattern, with the state the translation of its atoms depends on. */
export class PyPatternScanner {
  /** Index in `p` of the next character to read. */
  i = 0;
  /** IGNORECASE is on (the argument, or a global `(?i)` flag read since). */
  icase: boolean;

  constructor(
    readonly p: string,
    ignoreCase: boolean,
    readonly mode: RegexMode,
  ) {
    this.icase = ignoreCase;
  }

  unsupported(what: string): never {
    throw new UnsupportedRegexError(`${what} at position ${this.i} in ${JSON.stringify(this.p)}`);
  }

  litChar(cp: number): LitInfo {
    const ch = String.fromCodePoint(cp);
    return { exact: new Set([this.icase ? ch.toLowerCase() : ch]), req: null };
  }

  literalAtom(cp: number): string {
    return this.mode === 'unicode' && this.icase && isI(cp)
      ? `[${escapeCodePoint(cp, true, this.mode)}${DOTTED_I}]`
      : escapeCodePoint(cp, false, this.mode);
  }

  private readHex(len: number): number {
    const h = this.p.slice(this.i, this.i + len);
    if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) this.unsupported('bad hex escape');
    this.i += len;
    return parseInt(h, 16);
  }

  /** Escapes valid both inside and outside classes yielding one code point, or null. */
  private codePointEscape(c: string, inClass: boolean): number | null {
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined && !(c === 'b' && !inClass)) return simple;
    if (c === 'x') return this.readHex(2);
    if (c === 'u') return this.readHex(4);
    if (c === 'U') {
      const cp = this.readHex(8);
      if (cp > 0x10ffff) this.unsupported('bad \\U escape');
      return cp;
    }
    if (c === 'N') return this.unsupported('\\N{...} escape');
    return null;
  }

  classEscape(): ClassEscape {
    const { p, mode } = this;
    // p[i] is the char after the backslash
    const c = p[this.i++];
    if (c === undefined) return this.unsupported('trailing backslash');
    const cp = this.codePointEscape(c, true);
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
      while (digits.length < 3 && /[0-7]/.test(p[this.i] ?? '')) digits += p[this.i++];
      const v = parseInt(digits, 8);
      if (v > 0o377) this.unsupported('octal escape out of range');
      return { kind: 'literal', cp: v };
    }
    if (/[0-9A-Za-z]/.test(c)) return this.unsupported(`bad escape \\${c}`);
    return { kind: 'literal', cp: c.codePointAt(0)! };
  }

  readLiteralChar(): number {
    const cp = this.p.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** One member of a character set: an escape or a literal character. */
  private classItem(): ClassEscape {
    if (this.p[this.i] === '\\') {
      this.i++;
      return this.classEscape();
    }
    return { kind: 'literal', cp: this.readLiteralChar() };
  }

  parseClass(): { text: string; info: LitInfo } {
    const { p, mode, icase } = this;
    // p[i-1] === '['
    const negate = p[this.i] === '^';
    if (negate) this.i++;
    const start = this.i;
    let pos = '';
    const neg: string[] = [];
    let chars: Set<string> | null = new Set<string>(); // plain literal members, for the prefilter
    let coversI = false;
    for (;;) {
      if (this.i >= p.length) this.unsupported('unterminated character set');
      if (p[this.i] === ']' && this.i !== start) {
        this.i++;
        break;
      }
      const item = this.classItem();
      if (p[this.i] === '-' && this.i + 1 < p.length) {
        if (p[this.i + 1] === ']') {
          // trailing '-' is literal
          this.i++;
          chars = null;
          if (item.kind === 'literal') {
            pos += escapeCodePoint(item.cp, true, mode);
            if (isI(item.cp)) coversI = true;
          } else if (item.kind === 'set') pos += item.text;
          else neg.push(item.text);
          pos += '\\-';
          continue;
        }
        this.i++;
        const hi = this.classItem();
        if (item.kind !== 'literal' || hi.kind !== 'literal') return this.unsupported('bad character range');
        if (hi.cp < item.cp) this.unsupported('bad character range');
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
  }

  wordBoundary(negated: boolean): string {
    if (this.mode === 'ascii') return negated ? '\\B' : '\\b';
    const w = `[${WORD_UNICODE}]`;
    return negated ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  }
}
