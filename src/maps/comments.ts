// Trailing directive comments: `sourceMappingURL`, `debugId` and `sourceURL`, in JS (`//#`,
// `//@`, `/*# */`) and CSS (`/*# */`). What counts follows the source-map specification's
// extraction without parsing: a directive counts when only whitespace and other comments follow
// it to the end of the file, and only whitespace or closed block comments precede it on its line.
// A directive-looking text in the middle of code (a string, a template) is not one and is never
// touched, so removing directives cannot change what the program does.

// Built by concatenation so that this file does not itself look like it references a map.
export const SOURCE_MAPPING_URL = 'sourceMa' + 'ppingURL';

export type DirectiveKind = 'sourceMappingURL' | 'debugId' | 'sourceURL';
export type CodeLanguage = 'js' | 'css';

export interface Directive {
  kind: DirectiveKind;
  /** The value after `=`, trimmed (a URL, a data: URI, a debug id). */
  value: string;
  /** Offsets of the comment itself, `end` exclusive. */
  start: number;
  end: number;
  style: 'line' | 'block';
}

const CANDIDATE = new RegExp(`(\\/\\/|\\/\\*)[#@][ \\t]*(${SOURCE_MAPPING_URL}|debugId|sourceURL)=`, 'g');
const LINE_BREAKS = ['\n', '\r', '\u2028', '\u2029'];

export function languageOf(fileName: string): CodeLanguage | undefined {
  if (/\.(?:m|c)?js$/i.test(fileName) || /\.jsx$/i.test(fileName)) return 'js';
  if (/\.css$/i.test(fileName)) return 'css';
  return undefined;
}

/**
 * The trailing directives of a file, in source order. A search of a multi-megabyte bundle
 * costs milliseconds: callers that already have them for the same text pass them on.
 */
export function findTrailingDirectives(code: string, lang: CodeLanguage): Directive[] {
  const candidates: Array<{ index: number; style: 'line' | 'block'; kind: DirectiveKind; valueStart: number }> = [];
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(code); m; m = CANDIDATE.exec(code)) {
    const style = m[1] === '//' ? 'line' : 'block';
    if (style === 'line' && lang === 'css') continue;
    const name = m[2] === SOURCE_MAPPING_URL ? 'sourceMappingURL' : (m[2] as DirectiveKind);
    candidates.push({ index: m.index, style, kind: name, valueStart: m.index + m[0].length });
  }
  const found: Directive[] = [];
  // The verified tail starts here: from it to EOF is only whitespace, comments and directives.
  let tailStart = code.length;
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i];
    const end = commentEnd(code, c.index, c.style, tailStart);
    if (end === -1 || end > tailStart) break;
    if (!onlySpaceAndComments(code.slice(end, tailStart), lang, true)) break;
    // Code (or an open line comment) before it on its line: not a directive. Earlier
    // candidates then fail the tail check if that line holds code.
    const lineStart = lastLineBreak(code, c.index) + 1;
    if (!onlySpaceAndComments(code.slice(lineStart, c.index), lang, false)) continue;
    const raw = c.style === 'line' ? code.slice(c.valueStart, end) : code.slice(c.valueStart, end - 2);
    // The specification's pattern: one token, then only whitespace. Anything else (or a
    // backtick) is the inside of a template — minifiers turn "\n//# ...=" + url into one with a
    // real line break — running on as code: not a comment, and nothing before it is trailing.
    if (/[\s`]/.test(raw.trim())) break;
    found.unshift({ kind: c.kind, value: raw.trim(), start: c.index, end, style: c.style });
    tailStart = c.index;
  }
  return found;
}

/** Remove the trailing directives of the given kinds; lines left empty go too. `all`: those of `code`, if known. */
export function removeDirectives(
  code: string,
  lang: CodeLanguage,
  kinds: readonly DirectiveKind[],
  which: (d: Directive) => boolean = () => true,
  all: readonly Directive[] = findTrailingDirectives(code, lang),
): { code: string; removed: Directive[] } {
  const removed = all.filter((d) => kinds.includes(d.kind) && which(d));
  if (removed.length === 0) return { code, removed };
  let out = code;
  // Back to front, so earlier offsets stay valid. Everything removed is in the trailing
  // comment block, so no offset of real code (and no mapping) moves.
  for (const d of [...removed].reverse()) {
    let start = d.start;
    let end = d.end;
    const lineStart = lastLineBreak(out, start) + 1;
    const after = out.slice(end).match(/^[ \t]*(\r\n|[\n\r\u2028\u2029]|$)/);
    if (/^[ \t]*$/.test(out.slice(lineStart, start)) && after) {
      start = lineStart;
      end += after[0].length;
    }
    out = out.slice(0, start) + out.slice(end);
  }
  return { code: out, removed };
}

/** Append a `sourceMappingURL` comment in the file's own comment style. */
export function sourceMappingComment(url: string, lang: CodeLanguage): string {
  return lang === 'css' ? `/*# ${SOURCE_MAPPING_URL}=${url} */` : `//# ${SOURCE_MAPPING_URL}=${url}`;
}

/** Where a comment starting at `start` ends; a line comment still open at `limit` ends after it. */
function commentEnd(code: string, start: number, style: 'line' | 'block', limit: number): number {
  if (style === 'block') {
    const close = code.indexOf('*/', start + 2);
    return close === -1 ? -1 : close + 2;
  }
  const end = lineEnd(code, start, limit);
  return end === limit && limit < code.length ? limit + 1 : end;
}

/**
 * Where the line holding `from` ends (`\n`, `\r`, U+2028 or U+2029), or `limit` when it does not
 * end before it: by native searches within the slice, since a minified bundle's line can run on
 * for megabytes (a regular expression walked them, once per directive-looking text in the code).
 */
function lineEnd(code: string, from: number, limit = code.length): number {
  const part = code.slice(from, limit);
  let end = part.length;
  for (const ch of LINE_BREAKS) {
    const at = part.indexOf(ch);
    if (at !== -1 && at < end) end = at;
  }
  return from + end;
}

function lastLineBreak(code: string, before: number): number {
  for (let i = before - 1; i >= 0; i--) {
    const ch = code.charCodeAt(i);
    if (ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029) return i;
  }
  return -1;
}

/** True when `text` is only whitespace and complete comments (line comments only if allowed). */
function onlySpaceAndComments(text: string, lang: CodeLanguage, allowLineComments: boolean): boolean {
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch) || ch === '\uFEFF') {
      i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) return false;
      i = close + 2;
    } else if (ch === '/' && text[i + 1] === '/' && lang === 'js' && allowLineComments) {
      const nl = lineEnd(text, i);
      if (nl === text.length) return true;
      i = nl;
    } else {
      return false;
    }
  }
  return true;
}
