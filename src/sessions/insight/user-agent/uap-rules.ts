/**
 * UapParser: the uap-core rules of one regex data set, applied with Python
 * `ua-parser` 1.0.2's legacy `Parse()` semantics (see uap-parser.ts).
 */
import { SIMPLE_ESCAPES, WS_UNICODE } from './python-regex-scanner';
import { PyRegex, type PyMatch, Subject } from './py-regex-runtime';
import type { UapDeviceRule, UapOsRule, UapRegexData, UapUserAgentRule } from './regexes/uap-core-regexes';
import type { ParsedUserAgent, UapBrowser, UapDevice, UapOs } from './uap-types';

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
