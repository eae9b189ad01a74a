import type { Decoy } from '../core/decoy-types.js';
import { foldBytes } from './fold-bytes.js';
import type { Scope } from './manifests.js';
import { MAX_PATTERN } from './stream-matcher.js';

// What is searched for each decoy and control:
//   - its name (every decoy);
//   - a tool's description, first sentence (a renamed tool usually keeps it);
//   - a tool's schema: its parameter names of two words or more (`maxDepth`, `ledger_query`),
//     all within a window, when there are at least two of them (`path` + `query` together prove
//     nothing: real code is full of them).
// Each way of matching counts in the decoy's null rate (a union bound over the ways, each with
// the lengths its strings can take), see stats.ts.

export type MatchKind = 'name' | 'description' | 'schema';

export interface Target {
  /** Index in Compiled.targets. */
  index: number;
  decoy: Decoy;
  scopeId: string;
  /** The ways it can be matched (name, description, schema). */
  ways: MatchKind[];
  /** Schema: folded parameter names and the window (raw bytes) they must fall within. */
  schema?: { params: string[]; window: number };
}

export interface PatternUse {
  target: number;
  kind: MatchKind;
  /** For schema uses: which parameter. */
  param?: number;
}

export interface Compiled {
  targets: Target[];
  /** Folded patterns, by id, and who uses each. */
  patterns: string[];
  uses: PatternUse[][];
  /**
   * How many lengths each way's strings take (longest - shortest + 1, folded, over every decoy
   * and control): with the token starts, how many candidate strings of the input a decoy could
   * equal that way.
   */
  lengths: Record<MatchKind, number>;
}

/** The union bound's factor for one target: the lengths of each way it can match, summed. */
export function lengthFactor(compiled: Compiled, target: Target): number {
  return target.ways.reduce((n, way) => n + compiled.lengths[way], 0);
}

export function fold(text: string): string {
  return foldBytes(Buffer.from(text, 'utf8')).text;
}

/** Two tokens or more: `maxDepth`, `ledger_query`. */
function isCompound(name: string): boolean {
  return foldBytes(Buffer.from(name, 'utf8')).boundary.reduce((n, b) => n + b, 0) >= 2;
}

const MIN_DESCRIPTION = 24;

export function firstSentence(text: string): string {
  const m = /^[^.!?\n]*[.!?]?/.exec(text.trim());
  return (m ? m[0] : text).trim();
}

export function compileTargets(scopes: Scope[]): Compiled {
  const targets: Target[] = [];
  const patterns: string[] = [];
  const uses: PatternUse[][] = [];
  const byText = new Map<string, number>();
  const range: Record<MatchKind, [number, number]> = { name: [Infinity, 0], description: [Infinity, 0], schema: [Infinity, 0] };
  const use = (text: string, u: PatternUse) => {
    if (text.length < 3 || text.length > MAX_PATTERN) return false;
    let id = byText.get(text);
    if (id === undefined) {
      id = patterns.length;
      patterns.push(text);
      uses.push([]);
      byText.set(text, id);
    }
    uses[id].push(u);
    const r = range[u.kind];
    r[0] = Math.min(r[0], text.length);
    r[1] = Math.max(r[1], text.length);
    return true;
  };
  for (const scope of scopes) {
    for (const decoy of [...scope.decoys, ...scope.controls]) {
      const index = targets.length;
      const target: Target = { index, decoy, scopeId: scope.id, ways: [] };
      targets.push(target);
      if (use(fold(decoy.name), { target: index, kind: 'name' })) target.ways.push('name');
      if (decoy.kind !== 'tool') continue;
      const description = fold(firstSentence(decoy.description ?? ''));
      if (description.length >= MIN_DESCRIPTION && use(description, { target: index, kind: 'description' })) target.ways.push('description');
      // The signature is the parameters of two words or more: single words (`path`, `title`)
      // add little evidence and are everywhere in real code.
      const folded = [...new Set(decoy.parameters.map((p) => p.name).filter(isCompound).map(fold))];
      if (folded.length >= 2 && folded.every((p) => p.length >= 3 && p.length <= MAX_PATTERN)) {
        // A copied schema, pretty-printed or not, stays within a few times its compact size.
        const compact = JSON.stringify(decoy.parameters).length;
        target.schema = { params: folded, window: Math.min(1 << 16, Math.max(1024, 4 * compact)) };
        folded.forEach((p, param) => use(p, { target: index, kind: 'schema', param }));
        target.ways.push('schema');
      }
    }
  }
  const span = ([lo, hi]: [number, number]) => (hi === 0 ? 0 : hi - lo + 1);
  return { targets, patterns, uses, lengths: { name: span(range.name), description: span(range.description), schema: span(range.schema) } };
}
