import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { posix } from 'node:path';
import { lineStarts, toLineCol } from './line-col.js';
import { isIndexMap, type AnyMap, type SourceMapV3 } from './sourcemap.js';

// `poison`: a map that is public on purpose gets decoy source entries. Each decoy planted in the
// code gets a source file whose path and content mimic the real tree (same folder, naming case
// and extension as the real sources), and the decoy's occurrences in the generated code are
// mapped to it, so the entry looks used rather than orphaned. Real code keeps every mapping it
// had: new segments are added only inside decoy text (which the decoy engine left unmapped),
// and each is followed by a copy of the segment that was in force there before.

export interface PoisonDecoy {
  name: string;
  kind: 'tool' | 'flag';
  description?: string;
  parameters?: Array<{ name: string; type: string; description: string }>;
  required?: string[];
}

export interface PoisonOutcome {
  map: AnyMap;
  /** Source paths added (their content is the decoy file). */
  decoySources: string[];
}

const IDENT = /[A-Za-z0-9_$]/;

export function poisonMap(map: AnyMap, code: string, decoys: readonly PoisonDecoy[]): PoisonOutcome {
  // Index maps: poisoning one section would need section-relative offsets; leave them alone.
  if (isIndexMap(map) || decoys.length === 0) return { map, decoySources: [] };
  const out = structuredClone(map) as SourceMapV3;
  const real = out.sources.filter((s): s is string => typeof s === 'string');
  const shape = treeShape(real);
  const lines = decode(out.mappings);
  const codeLineStarts = lineStarts(code);
  const content: Array<string | null> = out.sources.map(() => null);
  const added: string[] = [];

  for (const decoy of decoys) {
    const hits = occurrences(code, decoy.name);
    if (hits.length === 0) continue;
    const file = uniquePath(shape.pathFor(decoy), out.sources);
    const text = decoyModule(decoy, shape.ext === '.ts' || shape.ext === '.tsx');
    const at = text.indexOf(`'${decoy.name}'`) + 1;
    const before = text.slice(0, at).split('\n');
    const origLine = before.length - 1;
    const origCol = before[before.length - 1].length;
    const sourceIndex = out.sources.length;
    out.sources.push(file);
    content.push(text);
    added.push(file);
    for (const offset of hits) {
      const [line, col] = toLineCol(codeLineStarts, offset);
      while (lines.length <= line) lines.push([]);
      insertSpan(lines[line], col, col + decoy.name.length, [col, sourceIndex, origLine, origCol]);
    }
  }
  if (added.length === 0) return { map, decoySources: [] };
  out.mappings = encode(lines);
  out.sourcesContent = content;
  return { map: out, decoySources: added };
}

/** Map [start, end) to `segment`, then restore whatever mapping was in force at `end`. */
function insertSpan(line: SourceMapSegment[], start: number, end: number, segment: SourceMapSegment): void {
  // Never override a real mapping that starts inside the span.
  if (line.some((s) => s[0] >= start && s[0] < end && s.length > 1)) return;
  let prev: SourceMapSegment | undefined;
  for (const s of line) if (s[0] < end) prev = s;
  const restore: SourceMapSegment = prev && prev.length > 1 ? ([end, ...prev.slice(1)] as SourceMapSegment) : [end];
  const keep = line.filter((s) => s[0] < start || s[0] >= end);
  if (!keep.some((s) => s[0] === end)) keep.push(restore);
  keep.push(segment);
  keep.sort((a, b) => a[0] - b[0]);
  line.splice(0, line.length, ...keep);
}

function occurrences(code: string, name: string): number[] {
  const hits: number[] = [];
  for (let i = code.indexOf(name); i !== -1; i = code.indexOf(name, i + name.length)) {
    const before = code[i - 1] ?? '';
    const after = code[i + name.length] ?? '';
    if (!IDENT.test(before) && !IDENT.test(after)) hits.push(i);
  }
  return hits;
}

type Case = 'kebab' | 'camel' | 'snake' | 'pascal';

interface TreeShape {
  ext: string;
  fileCase: Case;
  pathFor(decoy: PoisonDecoy): string;
}

/** Folder, extension and file-name case of the real first-party sources. */
function treeShape(sources: string[]): TreeShape {
  const own = sources.filter((s) => !s.includes('node_modules/') && !/^[a-z][a-z0-9+.-]*:\/\/\/?node_modules/.test(s));
  const pool = own.length > 0 ? own : sources;
  const ext = majority(pool.map((s) => posix.extname(s)).filter(Boolean)) ?? '.js';
  const dirs = pool.map((s) => posix.dirname(s));
  const dir = majority(dirs) ?? 'src';
  const fileCase = majority(pool.map((s) => caseOf(posix.basename(s, posix.extname(s))))) ?? 'kebab';
  const toolDir = dirs.find((d) => /tool/i.test(d));
  const flagDir = dirs.find((d) => /flag|feature/i.test(d));
  return {
    ext,
    fileCase,
    pathFor(decoy) {
      const base = (decoy.kind === 'tool' ? toolDir : flagDir) ?? dir;
      return posix.join(base, toCase(words(decoy.name), fileCase) + ext);
    },
  };
}

function uniquePath(path: string, taken: ReadonlyArray<string | null>): string {
  if (!taken.includes(path)) return path;
  const ext = posix.extname(path);
  for (let i = 2; ; i++) {
    const candidate = `${path.slice(0, -ext.length || undefined)}-${i}${ext}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

function majority<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

function caseOf(name: string): Case {
  if (name.includes('-')) return 'kebab';
  if (name.includes('_')) return 'snake';
  if (/^[A-Z]/.test(name)) return 'pascal';
  return /[A-Z]/.test(name) ? 'camel' : 'kebab';
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

function toCase(parts: string[], c: Case): string {
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  if (c === 'kebab') return parts.join('-');
  if (c === 'snake') return parts.join('_');
  if (c === 'pascal') return parts.map(cap).join('');
  return parts.map((w, i) => (i === 0 ? w : cap(w))).join('');
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function toolBody(decoy: PoisonDecoy): string[] {
  const params = decoy.parameters ?? [];
  const lines = [`  name: '${decoy.name}',`];
  if (decoy.description) lines.push(`  description: ${quote(decoy.description)},`);
  lines.push('  parameters: {');
  for (const p of params) lines.push(`    ${p.name}: { type: ${quote(p.type)}, description: ${quote(p.description)} },`);
  lines.push('  },');
  if (decoy.required?.length) lines.push(`  required: [${decoy.required.map(quote).join(', ')}],`);
  return lines;
}

/** A small module that defines the decoy the way real code would (JS or TS). */
function decoyModule(decoy: PoisonDecoy, typescript: boolean): string {
  const id = toCase(words(decoy.name), 'camel');
  if (decoy.kind === 'tool') return [`export const ${id}Tool = {`, ...toolBody(decoy), typescript ? '} as const;' : '};', ''].join('\n');
  const constant = toCase(words(decoy.name), 'snake').toUpperCase();
  return [
    `export const ${constant} = '${decoy.name}';`,
    '',
    typescript ? `export function ${id}Enabled(flags: Record<string, boolean>): boolean {` : `export function ${id}Enabled(flags) {`,
    `  return flags[${constant}] === true;`,
    '}',
    '',
  ].join('\n');
}
