// How deep JSON nests, found before JSON.parse is trusted with it: one pass over the text, no recursion.
// Shared by the safetensors header (bytes) and the Keras/TF.js configs (strings): [ { ] } " and \ are ASCII, and
// in UTF-8 no byte of a multi-byte character is ASCII, so bytes and UTF-16 code units give the same answer.

/**
 * The deepest nesting of [ and { in JSON, outside strings; stops and returns at the first level beyond
 * `limit`, so a 200,000-deep document costs one pass and no recursion. `json`: UTF-8 bytes or the text.
 */
export function jsonDepth(json: Uint8Array | string, limit: number): number {
  const codeAt = typeof json === 'string' ? (i: number) => json.charCodeAt(i) : (i: number) => json[i];
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = codeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped (a quote or another backslash)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}
