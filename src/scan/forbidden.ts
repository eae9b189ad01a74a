import type { ForbidRule } from '../core/config-types.js';

// Forbidden strings (config `forbid`): literals are searched as UTF-8 bytes, regexes on decoded
// text. Nothing here ever returns the matched text: callers learn counts and offsets only.

const MAX_COUNT = 10_000;

export interface CompiledForbid {
  label: string;
  literal?: Buffer;
  literalText?: string;
  regex?: RegExp;
}

export function compileForbid(rules: readonly ForbidRule[]): CompiledForbid[] {
  return rules.map((rule) => {
    if (typeof rule.pattern === 'string') {
      return { label: rule.label, literal: Buffer.from(rule.pattern, 'utf8'), literalText: rule.pattern };
    }
    const flags = rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`;
    return { label: rule.label, regex: new RegExp(rule.pattern.source, flags) };
  });
}

/** Non-overlapping matches of a literal (`find(from)` is the next one at or after `from`, or -1), up to MAX_COUNT. */
function countLiteral(length: number, find: (from: number) => number): { count: number; first: number } {
  if (length === 0) return { count: 0, first: -1 };
  let count = 0;
  let first = -1;
  for (let at = find(0); at >= 0 && count < MAX_COUNT; at = find(at + length)) {
    if (first < 0) first = at;
    count++;
  }
  return { count, first };
}

/** Matches in raw bytes: count and the byte offset of the first (literal rules only for binaries). */
export function searchBytes(rule: CompiledForbid, buf: Buffer, isText: boolean): { count: number; first: number } {
  if (rule.literal) {
    const literal = rule.literal;
    return countLiteral(literal.length, (from) => buf.indexOf(literal, from));
  }
  if (!isText || !rule.regex) return { count: 0, first: -1 };
  const text = buf.toString('utf8');
  const r = searchText(rule, text);
  return { count: r.count, first: r.first < 0 ? -1 : Buffer.byteLength(text.slice(0, r.first), 'utf8') };
}

/** Matches in decoded text: count and the string index of the first. */
export function searchText(rule: CompiledForbid, text: string): { count: number; first: number } {
  if (rule.literalText !== undefined) {
    const literal = rule.literalText;
    return countLiteral(literal.length, (from) => text.indexOf(literal, from));
  }
  const re = rule.regex as RegExp;
  re.lastIndex = 0;
  let count = 0;
  let first = -1;
  for (let m = re.exec(text); m && count < MAX_COUNT; m = re.exec(text)) {
    if (first < 0) first = m.index;
    count++;
    if (m[0].length === 0) re.lastIndex++;
  }
  return { count, first };
}

/** Replaces every match of every rule in `text` with the rule's label (for output redaction). */
export function redact(rules: readonly CompiledForbid[], text: string): string {
  let out = text;
  for (const rule of rules) {
    if (rule.literalText !== undefined) {
      if (rule.literalText !== '') out = out.split(rule.literalText).join(`[${rule.label}]`);
    } else if (rule.regex) {
      rule.regex.lastIndex = 0;
      out = out.replace(rule.regex, `[${rule.label}]`);
    }
  }
  return out;
}
