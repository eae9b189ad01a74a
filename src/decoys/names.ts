// Name shapes and the near-miss rule: a decoy may not equal, or be within edit distance 2 of, any
// identifier or string in the bundle (or another decoy) once case and separators are folded away
// (the same folding `detect` matches in: ASCII letters and digits, lower case).

export type NameCase = 'snake' | 'camel' | 'pascal' | 'kebab' | 'screaming';

export function fold(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '').toLowerCase();
}

/** Words of an identifier as a person reads them: camelCase, snake_case, kebab-case. */
export function splitWords(name: string): string[] {
  return (
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
      .toLowerCase()
      .match(/[a-z]+|[0-9]+/g) ?? []
  );
}

/** caseOf's 'snake' and 'kebab' tests alone, for callers that test thousands of strings for just these. */
export const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
export const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;

export function caseOf(name: string): NameCase | undefined {
  if (SNAKE_CASE.test(name)) return 'snake';
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(name)) return 'screaming';
  if (KEBAB_CASE.test(name)) return 'kebab';
  if (/^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$/.test(name)) return 'camel';
  if (/^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$/.test(name)) return 'pascal';
  return undefined;
}

export function joinWords(words: readonly string[], nameCase: NameCase): string {
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  switch (nameCase) {
    case 'snake':
      return words.join('_');
    case 'screaming':
      return words.join('_').toUpperCase();
    case 'kebab':
      return words.join('-');
    case 'camel':
      return words[0] + words.slice(1).map(cap).join('');
    case 'pascal':
      return words.map(cap).join('');
  }
}

/** Levenshtein distance, or `max + 1` as soon as it must exceed `max`. */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

export const NEAR_DISTANCE = 2;

/** Where a chunk's folded names live (the decoy scanner's memory): their text, and near-miss search. */
export interface NameSource {
  /** Every name followed by `\n`. */
  text(): string;
  /** A name within NEAR_DISTANCE of `folded` (folded itself included), if any. */
  near(folded: string): string | undefined;
}

/**
 * The folded names of one chunk, left where the scanner put them (a 6 MB bundle holds some
 * 60,000, and a build asks about a few dozen decoy names), plus the decoded values of strings
 * with escapes.
 */
export class FoldedNames implements Iterable<string> {
  private readonly extra: Set<string>;
  /** `\n` + the source's text, made on the first `has` (tests ask; builds do not). */
  private lines: string | undefined;

  constructor(
    private readonly source: NameSource,
    extra: Iterable<string> = [],
  ) {
    this.extra = new Set(extra);
  }

  has(folded: string): boolean {
    this.lines ??= '\n' + this.source.text();
    return this.extra.has(folded) || this.lines.includes('\n' + folded + '\n');
  }

  get size(): number {
    return new Set(this).size;
  }

  /** Every name; a name the scanner met far apart may come more than once. */
  *[Symbol.iterator](): Iterator<string> {
    const text = this.source.text();
    for (let from = 0, at = text.indexOf('\n'); at >= 0; from = at + 1, at = text.indexOf('\n', from)) yield text.slice(from, at);
    yield* this.extra;
  }

  /** A name within NEAR_DISTANCE of `folded`, if any. */
  nearest(folded: string): string | undefined {
    const hit = this.source.near(folded);
    if (hit !== undefined) return hit;
    for (const name of this.extra) {
      if (Math.abs(name.length - folded.length) <= NEAR_DISTANCE && boundedDistance(folded, name, NEAR_DISTANCE) <= NEAR_DISTANCE) return name;
    }
    return undefined;
  }
}

/**
 * Folded names bucketed by length, for near-miss queries. A folded string within distance 2 of
 * a query shares one of the query's three thirds verbatim (pigeonhole), so a cheap `includes`
 * test screens candidates before the distance is computed. Whole chunks' names are added as
 * FoldedNames and searched where the scanner keeps them.
 */
export class NameIndex {
  private readonly byLength = new Map<number, string[]>();
  private readonly all = new Set<string>();
  private readonly chunks: FoldedNames[] = [];

  add(folded: string): void {
    if (folded.length === 0 || this.all.has(folded)) return;
    this.all.add(folded);
    let bucket = this.byLength.get(folded.length);
    if (!bucket) this.byLength.set(folded.length, (bucket = []));
    bucket.push(folded);
  }

  /** Every name of a chunk, kept as the scanner gave them. */
  addAll(names: FoldedNames): void {
    this.chunks.push(names);
  }

  /** The first indexed name within NEAR_DISTANCE of `folded`, if any. */
  near(folded: string): string | undefined {
    if (this.all.has(folded)) return folded;
    const n = folded.length;
    const third = Math.max(1, Math.floor(n / 3));
    const pieces = [folded.slice(0, third), folded.slice(third, 2 * third), folded.slice(2 * third)];
    for (let len = n - NEAR_DISTANCE; len <= n + NEAR_DISTANCE; len++) {
      const bucket = this.byLength.get(len);
      if (!bucket) continue;
      for (const other of bucket) {
        if (!(other.includes(pieces[0]) || other.includes(pieces[1]) || other.includes(pieces[2]))) continue;
        if (boundedDistance(folded, other, NEAR_DISTANCE) <= NEAR_DISTANCE) return other;
      }
    }
    for (const chunk of this.chunks) {
      const hit = chunk.nearest(folded);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}

/** Strings a secret scanner or a perplexity filter would flag; decoys must never look like this. */
export function looksSecret(text: string): boolean {
  return (
    /\b(sk|pk|rk)-[A-Za-z0-9]/.test(text) ||
    /\b(AKIA|ASIA)[A-Z0-9]{8,}/.test(text) ||
    /\bgh[pousr]_[A-Za-z0-9]/.test(text) ||
    /\bxox[abprs]-/.test(text) ||
    /[0-9a-fA-F]{16,}/.test(text) ||
    (text.match(/[A-Za-z0-9+/_-]{20,}/g) ?? []).some((run) => /[0-9]/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run))
  );
}
