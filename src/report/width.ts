// How many terminal columns a string takes: every escape sequence (colour, cursor, OSC) takes none, East Asian
// wide characters (Hangul, CJK, full-width forms) take two. The one measure every table, chart and wrapped
// paragraph aligns by.

/**
 * CSI and OSC escape sequences: the pattern Node's own util.stripVTControlCharacters uses (ansi-regex), kept
 * here because report/ imports no runtime modules.
 */
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g;

/** s without its escape sequences. */
export function stripEscapes(s: string): string {
  return s.replace(ESCAPES, '');
}

/** Columns a string takes in a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripEscapes(s)) {
    const c = ch.codePointAt(0) ?? 0;
    const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

/** s followed by spaces to `width` display columns. */
export function padEndDisplay(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Spaces then s, to `width` display columns. */
export function padStartDisplay(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/**
 * Word-wraps a paragraph to `width` display columns (Korean wraps at spaces too); `indent` starts every line
 * (`first` replaces it on the first line). A word longer than a whole line (a long path) is cut into pieces
 * that fill the line, so nothing runs past `width`.
 */
export function wrap(text: string, width: number, indent = '', first = indent): string {
  const lines: string[] = [];
  let line = '';
  const lead = () => (lines.length === 0 ? first : indent);
  const words = text.split(/\s+/).flatMap((word) => splitLongWord(word, Math.max(1, width - displayWidth(indent))));
  for (const word of words) {
    if (line !== '' && displayWidth(lead() + line) + 1 + displayWidth(word) > width) { lines.push(lead() + line); line = word; }
    else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(lead() + line);
  return lines.join('\n');
}

/** A word cut into pieces of at most `width` columns (escape sequences are not cut, as they take none). */
function splitLongWord(word: string, width: number): string[] {
  if (displayWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = '';
  for (const part of word.split(new RegExp(`(${ESCAPES.source})`))) {
    if (part === '') continue;
    if (stripEscapes(part) === '') { piece += part; continue; }
    for (const ch of part) {
      if (displayWidth(piece + ch) > width) { pieces.push(piece); piece = ''; }
      piece += ch;
    }
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/** A line kept whole (spacing and all) when it fits `width`, else word-wrapped to it, `indent` before each continuation line. */
export function fitLine(text: string, width: number, indent = ''): string {
  return displayWidth(text) <= width ? text : wrap(text, width, indent, '');
}

/**
 * Parts joined by `sep` ("a · b · c") on as few lines as fit in `width`: a line breaks between parts, never
 * inside one unless the part alone is wider than a line (then it wraps at its spaces). A line that fits is
 * returned as it was.
 */
export function joinParts(parts: readonly string[], width: number, sep = ' · '): string {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line !== '' && displayWidth(line + sep + part) <= width) { line += sep + part; continue; }
    if (line !== '') lines.push(line);
    const pieces = fitLine(part, width).split('\n');
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1];
  }
  lines.push(line);
  return lines.join('\n');
}
