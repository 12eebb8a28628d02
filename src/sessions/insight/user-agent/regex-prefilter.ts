/**
 * Required-literal analysis for the rule prefilter (used by translatePythonRegex).
 * For each sub-pattern we track `exact` (the finite set of strings it can
 * match, when small) and `req` (a set of literals, one of which occurs in
 * every match; null = no constraint). A rule whose `req` literals are all
 * absent from the subject cannot match, so its regex need not run.
 */

export interface LitInfo {
  exact: Set<string> | null;
  req: Set<string> | null;
}

const MAX_EXACT = 16;
/** Prefilter literal sets larger than this are dropped (testing them would cost more than the regex). */
const MAX_PREFILTER_LITERALS = 6;
export const ANY: LitInfo = { exact: null, req: null };
export const EMPTY: LitInfo = { exact: new Set(['']), req: null };

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

export function reqOf(info: LitInfo): Set<string> | null {
  return better(litScore(info.req) > 0 ? info.req : null, litScore(info.exact) > 0 ? info.exact : null);
}

export function seqInfo(items: LitInfo[]): LitInfo {
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

export function altInfo(alts: LitInfo[]): LitInfo {
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

export function quantInfo(inner: LitInfo, min: number, max: number): LitInfo {
  if (min === 0) {
    if (max === 1 && inner.exact !== null && inner.exact.size < MAX_EXACT) {
      return { exact: new Set([...inner.exact, '']), req: null };
    }
    return ANY;
  }
  if (min === 1 && max === 1) return inner;
  return { exact: null, req: reqOf(inner) };
}
