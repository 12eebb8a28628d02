/**
 * JSON kept and sent as bytes. A list's items are kept as written bytes and its answer goes out as one buffer: sent
 * as a string, a 14 kB page was built by a join, copied again behind the response's header and encoded at the
 * socket, each a copy on the JavaScript heap (about 40 of the unfiltered authentik list's 107 kB allocated per page;
 * docs/performance.md, twenty-sixth stop). A buffer's bytes live outside that heap and are written as they are.
 */

/**
 * `text` as bytes of their own. Buffer.from would give a slice of a shared 8 kB pool for short texts, and a kept
 * slice keeps its whole pool alive after the other texts in it are dropped.
 */
export function keptBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** `head`, the items joined by commas, then `tail`, as one buffer. */
export function joinedJson(head: string, items: readonly Buffer[], tail: string): Buffer {
  let length = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, items.length - 1);
  for (const item of items) length += item.length;
  const out = Buffer.allocUnsafe(length);
  let at = out.write(head, 0);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ','
    at += items[i].copy(out, at);
  }
  out.write(tail, at);
  return out;
}
