import { MalformedJson } from './malformed-body';

/** The content type Fastify gives a JSON answer it writes itself; for answers written as text ahead of time. */
export const JSON_UTF8 = 'application/json; charset=utf-8';

/** Deeper than any body a face accepts; past it a body is refused before anything recurses over it. */
export const MAX_JSON_DEPTH = 32;

/** How deeply arrays and objects nest in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * A JSON body as the routes receive it: the parsed value, undefined when empty, or a MalformedJson marker (bad
 * syntax, or nesting past MAX_JSON_DEPTH) that each face answers in its own words. The depth is checked before
 * parsing: validators and transformers recurse over a parsed body, and a body nested thousands deep overflows the
 * stack there.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepth(text) > MAX_JSON_DEPTH) return new MalformedJson(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    return new MalformedJson((error as Error).message);
  }
}
