/**
 * Python `re.search` at run time: the subject string, each rule's regex
 * compiled lazily in two variants (a fast ASCII one and an exact Unicode one,
 * see translatePythonRegex) behind the literal prefilter, and the match object.
 */
import { NotAsciiSafe } from './python-regex-scanner';
import { translatePythonRegex, type TranslatedRegex } from './python-regex';

/** Subjects with a char outside ASCII, or with "\n", need the exact Unicode variants. */
// eslint-disable-next-line no-control-regex -- deliberately about control chars
const NEEDS_FULL = /[^\0-\t\x0b-\x7f]/;

/** The string being parsed, with what the rules need to know about it. */
export class Subject {
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

export class PyRegex {
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
        if (hay.includes(lits[k])) {
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

export class PyMatch {
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
