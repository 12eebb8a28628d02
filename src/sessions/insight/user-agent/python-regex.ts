/**
 * Python `re` -> JavaScript RegExp translation (with the prefilter literals
 * every match must contain); character-level reading is in python-regex-scanner.
 */
import { altInfo, ANY, EMPTY, type LitInfo, quantInfo, reqOf, seqInfo } from './regex-prefilter';
import { PyPatternScanner, type RegexMode } from './python-regex-scanner';

export { type RegexMode, UnsupportedRegexError } from './python-regex-scanner';

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
  const scan = new PyPatternScanner(pattern, ignoreCase, mode);
  let out = '';
  let groupCount = 0;
  let helperCount = 0;
  let dotAll = false;
  let repeatedCaptures = false;
  const names = new Map<string, number>();
  const closeOrder: number[] = [];
  const stack: Frame[] = [];
  let lastAtomStart = -1; // index in `out` of the last quantifiable atom
  let lastAtomCaptureStart = 0;
  let seq: LitInfo[] = []; // literal info of the current alternative's items
  let alts: LitInfo[] = []; // finished alternatives at the current level

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

  while (scan.i < p.length) {
    const c = p[scan.i];
    if (c === '\\') {
      scan.i++;
      const e = p[scan.i];
      if (e === undefined) return scan.unsupported('trailing backslash');
      switch (e) {
        case 'A':
          scan.i++;
          emitAssertion('^');
          continue;
        case 'Z':
          scan.i++;
          emitAssertion('$');
          continue;
        case 'b':
          scan.i++;
          emitAssertion(scan.wordBoundary(false));
          continue;
        case 'B':
          scan.i++;
          emitAssertion(scan.wordBoundary(true));
          continue;
      }
      if (e >= '1' && e <= '9') {
        // group reference, or octal escape when three octal digits
        if (/^[0-7]{3}/.test(p.slice(scan.i))) {
          const v = parseInt(p.slice(scan.i, scan.i + 3), 8);
          if (v > 0o377) scan.unsupported('octal escape out of range');
          scan.i += 3;
          emitAtom(scan.literalAtom(v), scan.litChar(v));
          continue;
        }
        const digits = /^[0-9]{1,2}/.exec(p.slice(scan.i))?.[0] ?? e;
        const n = parseInt(digits, 10);
        if (n > groupCount || stack.some((f) => f.origIndex === n)) scan.unsupported('invalid group reference');
        scan.i += digits.length;
        emitAtom(`${MARK}Bo${n}${MARK}`);
        continue;
      }
      if (e === '0') {
        let digits = '';
        while (digits.length < 3 && /[0-7]/.test(p[scan.i] ?? '')) digits += p[scan.i++];
        const v = parseInt(digits, 8);
        emitAtom(scan.literalAtom(v), scan.litChar(v));
        continue;
      }
      const item = scan.classEscape();
      if (item.kind === 'literal') emitAtom(scan.literalAtom(item.cp), scan.litChar(item.cp));
      else if (item.kind === 'set') emitAtom(/^\\[a-zA-Z]$/.test(item.text) ? item.text : `[${item.text}]`);
      else emitAtom(`[^${item.text}]`);
      continue;
    }
    if (c === '[') {
      scan.i++;
      const cls = scan.parseClass();
      emitAtom(cls.text, cls.info);
      continue;
    }
    if (c === '(') {
      scan.i++;
      const outStart = out.length;
      if (p[scan.i] === '?') {
        scan.i++;
        const k = p[scan.i];
        if (k === ':') {
          scan.i++;
          out += '(?:';
          openFrame({ kind: 'group', outStart, captureStart: groupCount });
        } else if (k === 'P' && p[scan.i + 1] === '<') {
          const end = p.indexOf('>', scan.i + 2);
          if (end < 0) scan.unsupported('unterminated group name');
          const name = p.slice(scan.i + 2, end);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || names.has(name)) scan.unsupported('bad group name');
          scan.i = end + 1;
          groupCount++;
          names.set(name, groupCount);
          out += `(${MARK}Co${groupCount}${MARK}`;
          openFrame({ kind: 'capture', outStart, captureStart: groupCount - 1, origIndex: groupCount });
        } else if (k === 'P' && p[scan.i + 1] === '=') {
          const end = p.indexOf(')', scan.i + 2);
          if (end < 0) scan.unsupported('unterminated group reference');
          const n = names.get(p.slice(scan.i + 2, end));
          if (n === undefined || stack.some((f) => f.origIndex === n)) return scan.unsupported('bad group reference');
          scan.i = end + 1;
          emitAtom(`${MARK}Bo${n}${MARK}`);
        } else if (k === '=' || k === '!') {
          scan.i++;
          out += `(?${k}`;
          openFrame({ kind: 'look', outStart, captureStart: groupCount });
        } else if (k === '<' && (p[scan.i + 1] === '=' || p[scan.i + 1] === '!')) {
          out += `(?<${p[scan.i + 1]}`;
          scan.i += 2;
          openFrame({ kind: 'look', outStart, captureStart: groupCount });
        } else if (k === '>') {
          scan.i++;
          helperCount++;
          out += `(?:(?=(${MARK}Ch${helperCount}${MARK}`;
          openFrame({ kind: 'atomic', outStart, captureStart: groupCount, helperId: helperCount });
        } else if (k === '#') {
          const end = p.indexOf(')', scan.i);
          if (end < 0) scan.unsupported('unterminated comment');
          scan.i = end + 1;
        } else if (k !== undefined && /[aiLmsux-]/.test(k)) {
          const m = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(p.slice(scan.i));
          if (!m) return scan.unsupported('bad inline flags');
          if (m[3] === ':' || m[2] !== undefined) scan.unsupported('scoped inline flags');
          if (outStart !== 0 || stack.length) scan.unsupported('global flags not at the start');
          for (const f of m[1] ?? '') {
            if (f === 'i') scan.icase = true;
            else if (f === 's') dotAll = true;
            else if (f !== 'u') scan.unsupported(`inline flag ${f}`);
          }
          scan.i += m[0].length;
        } else {
          scan.unsupported('unknown extension (?' + (k ?? ''));
        }
      } else {
        groupCount++;
        out += `(${MARK}Co${groupCount}${MARK}`;
        openFrame({ kind: 'capture', outStart, captureStart: groupCount - 1, origIndex: groupCount });
      }
      continue;
    }
    if (c === ')') {
      scan.i++;
      const f = stack.pop();
      if (!f) return scan.unsupported('unbalanced parenthesis');
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
        const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(p.slice(scan.i));
        if (m && p[scan.i + 1] !== '}') {
          min = m[1] ? parseInt(m[1], 10) : 0;
          max = m[2] ? (m[3] ? parseInt(m[3], 10) : Infinity) : min;
          if (max < min) scan.unsupported('min repeat greater than max repeat');
          q = max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
          scan.i += m[0].length;
        } else {
          scan.i++;
          emitAtom('\\{', scan.litChar(0x7b));
          continue;
        }
      } else {
        q = c;
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : Infinity;
        scan.i++;
      }
      if (lastAtomStart < 0) scan.unsupported('nothing to repeat');
      if (max > 1 && groupCount > lastAtomCaptureStart) repeatedCaptures = true;
      seq.push(quantInfo(seq.pop() ?? ANY, min, max));
      const suffix = p[scan.i];
      if (suffix === '?') {
        scan.i++;
        out += q + '?';
      } else if (suffix === '+') {
        // possessive: atomic group around atom+quantifier
        scan.i++;
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
      scan.i++;
      if (mode === 'ascii') emitAtom('.');
      else emitAtom(dotAll ? '[\\s\\S]' : '[^\\n]');
      continue;
    }
    if (c === '^') {
      scan.i++;
      emitAssertion('^');
      continue;
    }
    if (c === '$') {
      scan.i++;
      emitAssertion(mode === 'ascii' ? '$' : '(?=\\n?$)');
      continue;
    }
    if (c === '|') {
      scan.i++;
      out += '|';
      lastAtomStart = -1;
      alts.push(seqInfo(seq));
      seq = [];
      continue;
    }
    const cp = scan.readLiteralChar();
    emitAtom(scan.literalAtom(cp), scan.litChar(cp));
  }
  if (stack.length) scan.unsupported('missing )');
  alts.push(seqInfo(seq));
  const req = reqOf(altInfo(alts));
  // a literal containing another one of the set is redundant
  const literals = req !== null ? [...req].filter((x) => ![...req].some((y) => y !== x && x.includes(y))).sort() : null;

  // Number JS groups by their opening marker, then resolve back-references.
  const jsNumbers = new Map<string, number>();
  let n = 0;
  for (const m of out.matchAll(/\ue000C([oh]\d+)\ue000/g)) jsNumbers.set(m[1], ++n);
  const source = out
    .replace(/\ue000C[oh]\d+\ue000/g, '')
    .replace(/\ue000B([oh]\d+)\ue000/g, (_m, id: string) => `\\${jsNumbers.get(id)}(?:)`);
  let jsIndex: number[] | null = null;
  if (helperCount > 0) {
    jsIndex = [0];
    for (let g = 1; g <= groupCount; g++) jsIndex.push(jsNumbers.get(`o${g}`)!);
  }
  let flags = mode === 'ascii' ? 's' : 'u';
  if (scan.icase) flags += 'i';
  return {
    source,
    flags,
    groupCount,
    jsIndex,
    closeDesc: closeOrder.slice().reverse(),
    repeatedCaptures,
    literals,
    literalsIgnoreCase: scan.icase,
  };
}
