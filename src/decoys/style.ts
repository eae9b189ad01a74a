import { parseExpressionAt, type Node } from 'acorn';
import { caseOf, KEBAB_CASE, SNAKE_CASE, splitWords, type NameCase } from './names.js';
import type { ScanResult } from './scan.js';

// What the bundle's own tool definitions and feature flags look like, learned from the scan
// (byte-level) plus small acorn parses of the few object literals that hold a tool schema.
// Plain JSON, so it can be kept in the manifest and printed by `pillbox decoys --explain`.

export type SchemaKey = 'input_schema' | 'inputSchema' | 'parameters';

export interface LearnedStyle {
  tools: {
    /** How many tool definitions were found (0: built-in defaults below). */
    found: number;
    schemaKey: SchemaKey;
    nameCase: NameCase;
    /** Prefixes such as `mcp__github__`, with the share of tool names that carry one. */
    prefixes: string[];
    prefixShare: number;
    /** Mean words per description, and whether descriptions start "Reads" (third) or "Read" (imperative). */
    descriptionWords: number;
    person: 'third' | 'imperative';
    /** Mean properties per schema, share of them required, share of string properties with an enum. */
    properties: number;
    requiredShare: number;
    enumShare: number;
    /** Words from the bundle's own tool names (first word: verbs; the rest: objects). */
    verbs: string[];
    objects: string[];
  };
  flags: {
    found: number;
    /** Shared leading segment (a product codename such as `tengu`), or '' when none. */
    prefix: string;
    separator: '_' | '-' | '.' | ':';
    /** Segments per flag after the prefix, rounded mean. */
    segments: number;
    nameCase: NameCase;
    /** The call that reads flags (`getFeatureValue(...)`), when one stands out. */
    getter: string;
    words: string[];
  };
}

export const DEFAULT_STYLE: LearnedStyle = {
  tools: {
    found: 0,
    schemaKey: 'input_schema',
    nameCase: 'snake',
    prefixes: [],
    prefixShare: 0,
    descriptionWords: 18,
    person: 'third',
    properties: 2.5,
    requiredShare: 0.5,
    enumShare: 0.25,
    verbs: [],
    objects: [],
  },
  flags: { found: 0, prefix: '', separator: '_', segments: 3, nameCase: 'snake', getter: '', words: [] },
};

interface ToolSample {
  name: string;
  description: string;
  schemaKey: SchemaKey;
  /** Counted in the schema's object literal, for a sample of the tools (parsing costs). */
  schema?: SchemaCounts;
}

interface SchemaCounts {
  properties: number;
  required: number;
  strings: number;
  enums: number;
}

/**
 * Names and descriptions come from the scan; only this many schemas per chunk are parsed, an even
 * sample (acorn runs cold in a one-off build: ~0.3 ms a schema; the style needs only averages).
 */
const MAX_SCHEMA_PARSES = 16;
const MAX_TOOLS = 400;
const MAX_SCHEMA_BYTES = 12_000;

function propKey(p: Node & { key?: Node & { name?: string; value?: unknown }; computed?: boolean }): string | undefined {
  if (p.computed || !p.key) return undefined;
  if (p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'Literal' && typeof p.key.value === 'string') return p.key.value;
  return undefined;
}

function literalString(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = node as Node & { value?: unknown; quasis?: Array<{ value: { cooked: string } }>; expressions?: unknown[] };
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.quasis && n.expressions?.length === 0) return n.quasis[0].value.cooked;
  return undefined;
}

type ObjNode = Node & { properties: Array<Node & { value: Node; key: Node; computed: boolean }> };

function objectProps(node: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (!node || node.type !== 'ObjectExpression') return out;
  for (const p of (node as ObjNode).properties) {
    if (p.type !== 'Property') continue;
    const k = propKey(p as never);
    if (k !== undefined) out.set(k, p.value);
  }
  return out;
}

/** The counts of a schema object literal (`{...}` text), parsed alone with acorn. */
function schemaCounts(text: string): SchemaCounts | undefined {
  if (text.length > MAX_SCHEMA_BYTES) return undefined;
  let node: Node;
  try {
    node = parseExpressionAt(`(${text})`, 0, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch {
    return undefined;
  }
  const schema = objectProps(node);
  const properties = objectProps(schema.get('properties'));
  let strings = 0;
  let enums = 0;
  for (const value of properties.values()) {
    const p = objectProps(value);
    if (literalString(p.get('type')) === 'string') strings++;
    if (p.has('enum')) enums++;
  }
  const required = schema.get('required') as (Node & { elements?: unknown[] }) | undefined;
  return { properties: properties.size, required: required?.type === 'ArrayExpression' ? (required.elements?.length ?? 0) : 0, strings, enums };
}

function mostCommon<T>(items: readonly T[], fallback: T): T {
  const counts = new Map<T, number>();
  for (const it of items) counts.set(it, (counts.get(it) ?? 0) + 1);
  let best = fallback;
  let bestN = 0;
  // Ties break on first appearance, which is text order: deterministic.
  for (const [k, v] of counts) if (v > bestN) [best, bestN] = [k, v];
  return best;
}

function topWords(words: readonly string[], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const w of words) if (/^[a-z]{3,12}$/.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([w]) => w);
}


/** Do at least half of these names (three or more) start with the same segment of 3+ letters? */
function sharesFirstSegment(names: readonly string[]): boolean {
  return firstSegments(names).some(([seg, k]) => k >= 3 && k * 2 >= names.length && seg.length >= 3);
}

/** The first segments (before `_` or `-`) of these names with their counts, most common first, then by name. */
function firstSegments(names: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const n of names) {
    const seg = n.split(/[_-]/)[0];
    counts.set(seg, (counts.get(seg) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Learn the style of a set of chunks from their scans. */
export function learnStyle(chunks: ReadonlyArray<{ code: string; scan: ScanResult }>): LearnedStyle {
  const tools: ToolSample[] = [];
  const seenNames = new Set<string>();
  for (const { code, scan } of chunks) {
    // A tool definition names itself: other objects merely have a `parameters` key. Schemas
    // are parsed for an even sample when a bundle holds many (sixteen tell the averages kept).
    const named = scan.toolObjects.filter((t) => t.name && t.name.length <= 64).slice(0, MAX_TOOLS);
    const step = Math.max(1, Math.ceil(named.length / MAX_SCHEMA_PARSES));
    named.forEach((t, i) => {
      if (seenNames.has(t.name!)) return;
      seenNames.add(t.name!);
      const sample: ToolSample = { name: t.name!, description: t.description ?? '', schemaKey: t.key as SchemaKey };
      if (i % step === 0 && t.schema) {
        const counts = schemaCounts(code.slice(t.schema.start, t.schema.end));
        if (counts) sample.schema = counts;
      }
      tools.push(sample);
    });
  }

  const style: LearnedStyle = structuredClone(DEFAULT_STYLE);
  if (tools.length > 0) {
    const t = style.tools;
    t.found = tools.length;
    t.schemaKey = mostCommon(tools.map((x) => x.schemaKey), 'input_schema');
    const prefixOf = (name: string) => /^(mcp__[A-Za-z0-9-]+__)/.exec(name)?.[1];
    const bare = tools.map((x) => (prefixOf(x.name) ? x.name.slice(prefixOf(x.name)!.length) : x.name));
    t.nameCase = mostCommon(bare.map((x) => caseOf(x)).filter((x): x is NameCase => !!x && x !== 'screaming'), 'snake');
    const prefixes = tools.map((x) => prefixOf(x.name)).filter((x): x is string => !!x);
    t.prefixes = [...new Set(prefixes)].sort().slice(0, 8);
    t.prefixShare = round1(prefixes.length / tools.length);
    const descs = tools.map((x) => x.description).filter((d) => d.length > 0);
    if (descs.length > 0) {
      t.descriptionWords = Math.max(6, Math.min(60, Math.round(descs.reduce((s, d) => s + d.split(/\s+/).length, 0) / descs.length)));
      const third = descs.filter((d) => /^[A-Z][a-z]+s\b/.test(d)).length;
      t.person = third * 2 >= descs.length ? 'third' : 'imperative';
    }
    const schemas = tools.flatMap((x) => (x.schema ? [x.schema] : []));
    if (schemas.length > 0) {
      const props = schemas.reduce((s, x) => s + x.properties, 0);
      t.properties = round1(Math.max(1, props / schemas.length));
      t.requiredShare = props > 0 ? round1(schemas.reduce((s, x) => s + x.required, 0) / props) : 0.5;
      const strings = schemas.reduce((s, x) => s + x.strings, 0);
      t.enumShare = strings > 0 ? round1(schemas.reduce((s, x) => s + x.enums, 0) / strings) : 0.25;
    } else {
      t.properties = 1;
      t.requiredShare = 0.5;
      t.enumShare = 0.25;
    }
    const words = bare.map((x) => splitWords(x));
    t.verbs = topWords(words.map((w) => w[0] ?? ''), 40);
    t.objects = topWords(words.flatMap((w) => w.slice(1)), 80);
  }

  // Flags: the callee that receives the most distinct flag-like strings, if it clearly is one.
  const byCallee = new Map<string, Set<string>>();
  for (const { scan } of chunks) {
    for (const [callee, strings] of scan.stringCalls) {
      let set = byCallee.get(callee);
      if (!set) byCallee.set(callee, (set = new Set()));
      for (const s of strings.keys()) set.add(s);
    }
  }
  // A flag getter's strings share the product's prefix; a callee that merely takes many
  // snake-case strings (`Error("invalid_argument")`, a logger) does not. Prefer the callees
  // whose strings mostly share a first segment, the one with most strings among them.
  let getter = '';
  let flags: string[] = [];
  let prefixed = false;
  for (const [callee, set] of [...byCallee].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // Only a callee that could win is looked at closely.
    if (set.size < 3 || (prefixed && set.size <= flags.length)) continue;
    const list = [...set].filter((s) => SNAKE_CASE.test(s) || KEBAB_CASE.test(s));
    if (list.length < 3) continue;
    const shares = sharesFirstSegment(list);
    if ((shares && !prefixed) || (shares === prefixed && list.length > flags.length)) {
      getter = callee;
      flags = list.sort();
      prefixed = shares;
    }
  }
  // A codename prefix: the first segment shared by most flag-like strings in the bundle.
  const flagLike = [...new Set(chunks.flatMap(({ scan }) => [...scan.nameStrings]))].filter((s) => SNAKE_CASE.test(s));
  let prefix = '';
  const top = firstSegments(flags)[0];
  if (top && top[1] >= 3 && top[1] * 2 >= flags.length && top[0].length >= 3) prefix = top[0];
  if (!prefix) {
    // No getter: a first segment shared by many snake strings and not an English verb of ours.
    const best = firstSegments(flagLike)[0];
    if (best && best[1] >= 8 && best[1] * 4 >= flagLike.length && best[0].length >= 4) prefix = best[0];
  }
  const withPrefix = prefix ? flagLike.filter((s) => s.startsWith(prefix + '_')) : flags;
  if (withPrefix.length > 0 || flags.length > 0) {
    const f = style.flags;
    const sample = withPrefix.length > 0 ? withPrefix : flags;
    f.found = sample.length;
    f.prefix = prefix;
    f.getter = getter;
    f.separator = sample.some((s) => s.includes('-')) && !sample.some((s) => s.includes('_')) ? '-' : '_';
    f.nameCase = f.separator === '-' ? 'kebab' : 'snake';
    const segs = sample.map((s) => s.split(/[_-]/).length - (prefix ? 1 : 0));
    f.segments = Math.max(2, Math.min(5, Math.round(segs.reduce((a, b) => a + b, 0) / segs.length)));
    f.words = topWords(sample.flatMap((s) => s.split(/[_-]/).slice(prefix ? 1 : 0)), 80);
  }
  return style;
}
