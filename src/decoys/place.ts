import { parse, parseExpressionAt, type Node, type Options } from 'acorn';
import MagicString from 'magic-string';
import type { Decoy } from '../core/decoy-types.js';
import type { KeyedStream } from './random.js';
import { ARGUMENTS0, type FunctionHost, type ScanResult, type SwitchHost } from './scan.js';
import type { LearnedStyle } from './style.js';

// Placement: each decoy goes inside code the chunk already has, behind a guard that is false
// for every possible value yet that no minifier can decide:
//
//   p === "NAME" && typeof p != "string"     a value cannot equal a string and not be one
//   typeof p == "number" && p === "NAME"      ... nor be a number and equal a string
//   p === "NAME" && !p                       a non-empty string is truthy
//   p === "NAME" && p.length > L             L >= NAME.length
//   p === "NAME" && p.length < L             1 <= L <= NAME.length
//   p === "NAME" && p == null
//
// `p` is a parameter of a function the bundle already has (a callback, a method, an exported
// function: places whose arguments a minifier cannot know), read at the top of its body, where
// reading it can never throw. Or the guard sits in a new `case "NAME":` of a `switch (d)` over
// strings that the bundle already has, placed just before `default:` (or last), so that falling
// into it from the case above, or matching it, ends up exactly where the switch went before.
// Behind the guard: `return <decoy>` (or `throw` outside functions) — control flow that a
// minifier must keep while it cannot decide the guard. Since the guard is always false, nothing
// behind it ever runs: no globals, no exports, no registry ever sees a decoy.

export type GuardKind = 'type-mismatch' | 'typeof-first' | 'falsy' | 'length-over' | 'length-under' | 'nullish';
export const GUARD_KINDS: readonly GuardKind[] = ['type-mismatch', 'typeof-first', 'falsy', 'length-over', 'length-under', 'nullish'];
export type SiteKind = 'function-start' | 'switch-case';

export interface PlannedPlacement {
  decoy: Decoy;
  site: SiteKind;
  guard: GuardKind;
  /** Old-code offset the text goes before. */
  offset: number;
  text: string;
}

interface Emit {
  min: boolean;
  q: string;
  sp: string;
}

function emitFor(scan: ScanResult): Emit {
  return { min: scan.minified, q: scan.singleQuotes ? "'" : '"', sp: scan.minified ? '' : ' ' };
}

function str(e: Emit, value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(e.q === '"' ? /"/g : /'/g, '\\' + e.q)
    .replace(/\n/g, '\\n')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return e.q + escaped + e.q;
}

function key(name: string, e: Emit): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : str(e, name);
}

function objectLiteral(entries: Array<[string, string]>, e: Emit): string {
  if (entries.length === 0) return '{}';
  const inner = entries.map(([k, v]) => `${key(k, e)}:${e.sp}${v}`).join(`,${e.sp}`);
  return e.min ? `{${inner}}` : `{ ${inner} }`;
}

/** The decoy as the value behind the guard, shaped like the bundle's own tool definitions. */
export function decoyValue(decoy: Decoy, style: LearnedStyle, e: Emit, param: string, stream: KeyedStream): string {
  if (decoy.kind === 'flag') {
    const forms = [param, e.min ? '!1' : 'false', e.min ? '!0' : 'true', 'null', str(e, decoy.name)];
    return stream.pick(forms);
  }
  const props = decoy.parameters.map((p): [string, string] => {
    const entries: Array<[string, string]> = [
      ['type', str(e, p.type)],
      ['description', str(e, p.description)],
    ];
    if (p.enum) entries.push(['enum', `[${p.enum.map((v) => str(e, v)).join(`,${e.sp}`)}]`]);
    if (p.type === 'array') entries.push(['items', objectLiteral([['type', str(e, 'string')]], e)]);
    return [p.name, objectLiteral(entries, e)];
  });
  const schema = objectLiteral(
    [
      ['type', str(e, 'object')],
      ['properties', objectLiteral(props, e)],
      ['required', `[${decoy.required.map((r) => str(e, r)).join(`,${e.sp}`)}]`],
    ],
    e,
  );
  return objectLiteral(
    [
      ['name', str(e, decoy.name)],
      ['description', str(e, decoy.description)],
      [style.tools.schemaKey, schema],
    ],
    e,
  );
}

const OTHER_TYPES = ['number', 'boolean', 'object', 'function', 'undefined', 'bigint', 'symbol'];

export function guardText(kind: GuardKind, p: string, name: string, e: Emit, stream: KeyedStream): string {
  const { sp } = e;
  const eq3 = `${sp}===${sp}`;
  const s = str(e, name);
  const cmp = stream.int(2) === 0 ? `${p}${eq3}${s}` : `${s}${eq3}${p}`;
  const and = `${sp}&&${sp}`;
  switch (kind) {
    case 'type-mismatch':
      return `${cmp}${and}typeof ${p}${sp}${stream.pick(['!=', '!=='])}${sp}${str(e, 'string')}`;
    case 'typeof-first':
      return `typeof ${p}${sp}${stream.pick(['==', '==='])}${sp}${str(e, stream.pick(OTHER_TYPES))}${and}${cmp}`;
    case 'falsy':
      return `${cmp}${and}!${p}`;
    case 'length-over':
      return `${cmp}${and}${p}.length${sp}>${sp}${name.length + stream.int(24)}`;
    case 'length-under':
      return `${cmp}${and}${p}.length${sp}<${sp}${1 + stream.int(name.length)}`;
    case 'nullish':
      return `${cmp}${and}${p}${sp}==${sp}null`;
  }
}

function statement(guard: string, value: string, canReturn: boolean, e: Emit): string {
  const kw = canReturn ? 'return' : 'throw';
  const v = value.startsWith('{') || value.startsWith('!') || value.startsWith('"') || value.startsWith("'") ? (e.min ? value : ' ' + value) : ' ' + value;
  return `if${e.sp}(${guard})${e.sp}${kw}${v};`;
}

const PARSE_OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };
// Hosts are re-parsed before use: small ones keep that cheap, and real bundles have plenty.
const MAX_HOST_BYTES = 6_000;
// A re-parse costs about the host's size: acorn runs cold in a one-off build (2-5 µs a byte;
// a 2 KB function took ~10 ms in rollup's first plant, and 19 hosts of up to 1 KB 17-30 ms in the
// plugins bench's, against ~10 ms at this size). Hosts over it are tried only after every
// smaller one (they are left out of the decoys' slices, and come after every small site in the
// walk of the whole list), so small bundles can still use them; most functions of a bundle are
// this small.
const LARGE_HOST_BYTES = 256;

/** Where, in a verified host, a guarded statement may go, and which parameters it may read. */
export interface HostSlots {
  params: string[];
  /** Offsets: just after the body's `{`, or the start of a statement that follows a plain one. */
  slots: Array<{ offset: number; atBodyStart: boolean; semicolon: boolean }>;
}

type FnNode = Node & { params?: Array<Node & { name?: string }>; body?: Node & { body?: Array<Node & { directive?: string }> } };

/** Re-parse a host with acorn and check that the scan read it right; undefined when it did not. */
export function verifyFunctionHost(code: string, h: FunctionHost): HostSlots | undefined {
  if (h.bodyEnd - h.start > MAX_HOST_BYTES) return undefined;
  let fn: FnNode;
  // Offset of acorn's position 0 in `code` (methods are parsed inside `({ ... })`).
  let base: number;
  try {
    if (h.isMethod) {
      const text = code.slice(h.start, h.bodyEnd + 1);
      const obj = parseExpressionAt(`({${text}})`, 0, PARSE_OPTIONS) as unknown as { properties?: Array<Node & { value: Node }> };
      const props = obj.properties;
      if (!props || props.length !== 1) return undefined;
      fn = props[0].value as FnNode;
      base = h.start - 2;
      if (!fn || fn.end !== text.length + 2) return undefined;
    } else {
      // Parse just the function's own text: parsing from its start in the whole chunk would run
      // on through any `,` sequence after it (in minified code, often the rest of the file).
      const text = code.slice(h.start, h.bodyEnd + 1);
      fn = parseExpressionAt(`(${text})`, 0, PARSE_OPTIONS) as FnNode;
      if (fn.type === 'ParenthesizedExpression') return undefined;
      base = h.start - 1;
      if (fn.start !== 1 || fn.end !== text.length + 1) return undefined;
    }
  } catch {
    // `await`/`yield` inside, a sloppy-only construct, or the scan misread: just skip this host.
    return undefined;
  }
  if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') return undefined;
  const body = fn.body;
  if (!body || body.type !== 'BlockStatement' || body.start + base !== h.bodyStart - 1 || body.end + base !== h.bodyEnd + 1) return undefined;
  const first = fn.params?.[0];
  if (h.param === ARGUMENTS0) {
    if (fn.type !== 'FunctionExpression' || (fn.params?.length ?? 0) !== 0) return undefined;
  } else if (!first || first.type !== 'Identifier' || first.name !== h.param) return undefined;
  const stmts = body.body ?? [];
  if (stmts[0]?.directive !== undefined) return undefined;
  const params = h.param === ARGUMENTS0 ? [ARGUMENTS0] : (fn.params ?? []).filter((p) => p.type === 'Identifier').map((p) => p.name as string);
  const slots: HostSlots['slots'] = [{ offset: h.bodyStart, atBodyStart: true, semicolon: false }];
  // Before a later statement only when the one before it cannot leave the function (code after a
  // return would be dead, and a minifier drops dead code).
  for (let k = 1; k < stmts.length && slots.length < 4; k++) {
    const prev = stmts[k - 1];
    if (prev.type !== 'ExpressionStatement' && prev.type !== 'VariableDeclaration') continue;
    const prevEnd = prev.end + base;
    const at = stmts[k].start + base;
    const between = code.slice(prevEnd, at);
    const endsWithSemi = code.charCodeAt(prevEnd - 1) === 59 || between.includes(';') || between.includes('\n');
    slots.push({ offset: at, atBodyStart: false, semicolon: !endsWithSemi });
  }
  return { params, slots };
}

/** Does any binding pattern of these declarators declare `name`? */
function declaresName(declarators: unknown[], name: string): boolean {
  const found = (node: unknown): boolean => {
    if (!node || typeof node !== 'object') return false;
    const n = node as { type?: string; name?: string; [k: string]: unknown };
    if (n.type === 'Identifier') return n.name === name;
    if (n.type === 'ObjectPattern') return (n.properties as unknown[]).some((p) => found((p as { value?: unknown; argument?: unknown }).value ?? (p as { argument?: unknown }).argument));
    if (n.type === 'ArrayPattern') return (n.elements as unknown[]).some(found);
    if (n.type === 'RestElement') return found(n.argument);
    if (n.type === 'AssignmentPattern') return found(n.left);
    return false;
  };
  return declarators.some((d) => found((d as { id: unknown }).id));
}

export function verifySwitchHost(code: string, s: SwitchHost, insertAt: number): boolean {
  if (s.bodyEnd - s.start > MAX_HOST_BYTES * 2) return false;
  const text = code.slice(s.start, s.bodyEnd + 1);
  let stmt: Node & { discriminant?: Node & { name?: string }; cases?: Array<Node & { test: (Node & { value?: unknown }) | null }> };
  try {
    const program = parse(text, PARSE_OPTIONS) as Node & { body: Node[] };
    if (program.body.length !== 1) return false;
    stmt = program.body[0] as typeof stmt;
  } catch {
    return false;
  }
  if (stmt.type !== 'SwitchStatement' || stmt.discriminant?.type !== 'Identifier' || stmt.discriminant.name !== s.discriminant) return false;
  const cases = stmt.cases ?? [];
  if (!cases.some((c) => c.test?.type === 'Literal' && typeof c.test.value === 'string')) return false;
  // The insertion point must be where a clause starts (default) or the body's closing brace.
  const rel = insertAt - s.start;
  if (rel !== text.length - 1 && !cases.some((c) => c.test === null && c.start === rel)) return false;
  // A `let d`/`const d`/`class d` directly in the switch's own scope would shadow the
  // discriminant there, uninitialised until its clause runs (reading it could throw): skip.
  // Declarations inside a clause's own `{ }` block are another scope and do not matter.
  for (const c of cases) {
    for (const stmt of (c as unknown as { consequent: Array<Node & { kind?: string; declarations?: unknown[]; id?: { name?: string } }> }).consequent) {
      if (stmt.type === 'ClassDeclaration' && stmt.id?.name === s.discriminant) return false;
      if (stmt.type === 'VariableDeclaration' && stmt.kind !== 'var' && declaresName(stmt.declarations ?? [], s.discriminant)) return false;
    }
  }
  return true;
}

// How safe a host is from a minifier that inlines a function into a call with constant
// arguments (terser does, and then folds the guard away): callbacks handed to a property call
// (`list.map(cb)`) and methods never see constant arguments the minifier knows; exported
// functions keep their own body whatever happens at call sites; a plain local function may be
// inlined. Hosts below SAFE_WEIGHT are used only when a build has nowhere better.
const KIND_WEIGHT: Record<FunctionHost['kind'], number> = {
  'member-callback': 5,
  method: 4,
  exported: 3,
  property: 3,
  callback: 2,
  declaration: 1,
  expression: 1,
  iife: 0,
};
const SAFE_WEIGHT = 2;

function indentBefore(code: string, offset: number): string {
  const nl = code.lastIndexOf('\n', offset - 1);
  const lineStart = nl + 1;
  const m = /^[ \t]*/.exec(code.slice(lineStart, Math.min(offset, lineStart + 100)));
  return m && lineStart + m[0].length === offset ? m[0] : '';
}

function indentAfter(code: string, offset: number): string {
  const nl = code.indexOf('\n', offset);
  if (nl < 0 || nl - offset > 200 || code.slice(offset, nl).trim() !== '') return '';
  const m = /^[ \t]*/.exec(code.slice(nl + 1, nl + 101));
  return m ? m[0] : '';
}

export interface PlanOptions {
  /** Restrict the forms (tests use this to exercise each one). */
  guards?: readonly GuardKind[];
  sites?: readonly SiteKind[];
  /** Also use hosts a minifier might inline (plain local functions). Default false. */
  allowUnsafe?: boolean;
  /** Offsets already used in this chunk by an earlier pass. */
  usedOffsets?: ReadonlySet<number>;
  /** What earlier passes over this chunk worked out (read and filled): see `newPlanCache`. */
  cache?: PlanCache;
}

/**
 * What the passes of one build over one chunk share: the function hosts already re-parsed
 * (acorn, cold in a one-off build) and the site lists (a large bundle has tens of thousands of
 * hosts). It belongs to the first scan it is used with; planChunk refuses it for any other.
 */
export interface PlanCache {
  scan?: ScanResult;
  verified: Map<number, HostSlots | undefined>;
  sites: Map<string, SiteList>;
}

export function newPlanCache(): PlanCache {
  return { verified: new Map(), sites: new Map() };
}

/**
 * The sites a pass may try, in text order, as parallel arrays (one object per site would cost
 * milliseconds a pass on a large bundle): `ids[k]` is a function host's index, or `-1 - j` for
 * switch `switches[j]`; `at[k]` is where its statement goes, `weight[k]` how much it is
 * preferred and `large[k]` whether it is over LARGE_HOST_BYTES. `weights`: the distinct weights,
 * highest first.
 */
interface SiteList {
  ids: Int32Array;
  at: Int32Array;
  weight: Int8Array;
  large: Uint8Array;
  weights: number[];
  switches: SwitchHost[];
}

function siteList(scan: ScanResult, minWeight: number, wantFn: boolean, wantSw: boolean): SiteList {
  const hosts = scan.functionHosts;
  const fnIds = new Int32Array(wantFn ? hosts.length : 0);
  const fnAt = new Int32Array(fnIds.length);
  const fnWeight = new Int8Array(fnIds.length);
  const fnLarge = new Uint8Array(fnIds.length);
  let f = 0;
  for (let i = 0; i < fnIds.length; i++) {
    const w = KIND_WEIGHT[hosts.kind(i)];
    const span = hosts.span(i);
    if (w < minWeight || span > MAX_HOST_BYTES) continue;
    // Hosts without parameters come last: reading `arguments` is legal but less usual.
    const bonus = hosts.usesArguments(i) ? -3 : hosts.compares(i) > 0 ? 1 : 0;
    const large = span > LARGE_HOST_BYTES;
    fnIds[f] = i;
    fnAt[f] = hosts.bodyStart(i);
    fnLarge[f] = large ? 1 : 0;
    fnWeight[f++] = w * 2 + bonus;
  }
  const switches: SwitchHost[] = [];
  const sw: Array<{ at: number; weight: number; large: boolean }> = [];
  if (wantSw) {
    for (const host of scan.switches) {
      const w = host.enclosing ? KIND_WEIGHT[host.enclosing] : 0;
      if (w < minWeight) continue;
      switches.push(host);
      const large = host.bodyEnd - host.start > LARGE_HOST_BYTES;
      sw.push({ at: host.defaultAt >= 0 ? host.defaultAt : host.bodyEnd, weight: 11, large });
    }
  }
  // Switches are few: sorted here (stably), then merged with the function sites, which the scan
  // reports in text order (sorted only if they are not), functions first on equal offsets.
  const swOrder = sw.map((_, j) => j).sort((a, b) => sw[a].at - sw[b].at);
  let fnOrder: number[] | undefined;
  for (let k = 1; k < f; k++) {
    if (fnAt[k] < fnAt[k - 1]) {
      fnOrder = Array.from({ length: f }, (_, x) => x).sort((a, b) => fnAt[a] - fnAt[b]);
      break;
    }
  }
  const n = f + swOrder.length;
  const list: SiteList = { ids: new Int32Array(n), at: new Int32Array(n), weight: new Int8Array(n), large: new Uint8Array(n), weights: [], switches };
  for (let k = 0, a = 0, b = 0; k < n; k++) {
    const x = a < f ? (fnOrder ? fnOrder[a] : a) : -1;
    if (b >= swOrder.length || (x >= 0 && fnAt[x] <= sw[swOrder[b]].at)) {
      list.ids[k] = fnIds[x];
      list.at[k] = fnAt[x];
      list.weight[k] = fnWeight[x];
      list.large[k] = fnLarge[x];
      a++;
    } else {
      const j = swOrder[b++];
      list.ids[k] = -1 - j;
      list.at[k] = sw[j].at;
      list.weight[k] = sw[j].weight;
      list.large[k] = sw[j].large ? 1 : 0;
    }
  }
  list.weights = [...new Set(list.weight)].sort((a, b) => b - a);
  return list;
}

/**
 * Plan where `decoys` go in one chunk. Sites are spread over the chunk (one slice of the
 * candidate list per decoy), chosen and ordered by the keyed stream; every host is re-parsed
 * with acorn before it is used. Decoys that find no place are simply not in the result.
 */
export function planChunk(
  code: string,
  scan: ScanResult,
  decoys: readonly Decoy[],
  style: LearnedStyle,
  stream: KeyedStream,
  only: PlanOptions = {},
): PlannedPlacement[] {
  if (scan.confused || decoys.length === 0) return [];
  const e = emitFor(scan);
  const minWeight = only.allowUnsafe ? 1 : SAFE_WEIGHT;
  const wantFn = !only.sites || only.sites.includes('function-start');
  const wantSw = !only.sites || only.sites.includes('switch-case');
  const hosts = scan.functionHosts;
  if (only.cache) {
    only.cache.scan ??= scan;
    if (only.cache.scan !== scan) throw new Error('planChunk: this PlanCache belongs to another chunk');
  }
  const listKey = `${minWeight}/${wantFn}/${wantSw}`;
  let list = only.cache?.sites.get(listKey);
  if (!list) {
    list = siteList(scan, minWeight, wantFn, wantSw);
    only.cache?.sites.set(listKey, list);
  }
  const total = list.ids.length;
  if (total === 0) return [];

  const used = new Set<number>(only.usedOffsets ?? []);
  // Positions in the site list that can take no (more) decoy in this pass.
  const dead = new Set<number>();
  const slotsOf = new Map<number, HostSlots | undefined>();
  const order = stream.shuffle(decoys);
  const slices = Math.min(order.length, total);
  const out: PlannedPlacement[] = [];
  // When every slot is taken, later decoys share slots with earlier ones (a chunk with little
  // code then holds a few guarded statements in a row rather than none).
  let stack = false;
  for (let d = 0; d < order.length; d++) {
    const decoy = order[d];
    // This decoy's slice of the chunk first (best hosts first, keyed among equals), then anywhere.
    const slice = d % slices;
    const lo = Math.floor((slice * total) / slices);
    const hi = Math.floor(((slice + 1) * total) / slices);
    // Then anywhere, from a keyed starting point (shuffling every site per decoy costs too much
    // keyed randomness on a large bundle).
    const from = stream.int(total);
    for (const k of candidates(list, lo, hi, from, stream)) {
      if (dead.has(k)) continue;
      const id = list.ids[k];
      const guard = stream.pick(only.guards ?? GUARD_KINDS);
      let text: string;
      let offset: number;
      let param: string;
      if (id >= 0) {
        if (!slotsOf.has(id)) {
          const known = only.cache?.verified.has(id);
          const slots = known ? only.cache!.verified.get(id) : verifyFunctionHost(code, hosts.get(id));
          if (!known) only.cache?.verified.set(id, slots);
          slotsOf.set(id, slots);
        }
        const info = slotsOf.get(id);
        const free = info?.slots.filter((sl) => stack || !used.has(sl.offset)) ?? [];
        if (!info || free.length === 0) {
          dead.add(k);
          continue;
        }
        const slot = stream.pick(free);
        param = stream.pick(info.params);
        const stmt = statement(guardText(guard, param, decoy.name, e, stream), decoyValue(decoy, style, e, param, stream), true, e);
        offset = slot.offset;
        if (e.min) text = (slot.semicolon ? ';' : '') + stmt;
        else if (slot.atBodyStart) {
          const indent = indentAfter(code, offset);
          text = indent ? '\n' + indent + stmt : ' ' + stmt;
        } else {
          const indent = indentBefore(code, offset);
          text = (slot.semicolon ? ';' : '') + stmt + (indent ? '\n' + indent : ' ');
        }
      } else {
        const host = list.switches[-1 - id];
        const at = list.at[k];
        if (used.has(at) || !verifySwitchHost(code, host, at)) {
          dead.add(k);
          continue;
        }
        dead.add(k);
        param = host.discriminant;
        offset = at;
        const stmt = statement(guardText(guard, param, decoy.name, e, stream), decoyValue(decoy, style, e, param, stream), host.inFunction, e);
        let j = offset - 1;
        while (j >= 0 && /\s/.test(code[j])) j--;
        const needsSemi = !';{}:'.includes(code[j]);
        const clause = `case ${str(e, decoy.name)}:${e.sp}${stmt}`;
        text = (needsSemi ? ';' : '') + (e.min ? clause : clause + ' ');
      }
      used.add(offset);
      out.push({ decoy, site: id >= 0 ? 'function-start' : 'switch-case', guard, offset, text });
      break;
    }
    if (out.length === 0 || out[out.length - 1].decoy !== decoy) {
      if (stack) continue;
      // Nothing free: allow stacking once fn hosts exist, and retry this decoy.
      if (slotsOf.size === 0 || [...slotsOf.values()].every((v) => !v)) continue;
      stack = true;
      for (let k = 0; k < total; k++) if (list.ids[k] >= 0 && slotsOf.get(list.ids[k])) dead.delete(k);
      d--;
    }
  }
  return out;
}

/**
 * The positions of the sites to try for one decoy, in order: the small sites of its slice by
 * weight, best first, in a keyed order among equals; then every site, small ones first, best
 * first, from the keyed point `from` on (its slice's again too: the caller skips the dead).
 * Lazy, because the first site or two usually take the decoy: the slice is drawn from one
 * element at a time (a Fisher-Yates shuffle stopped early), and the whole list is only walked,
 * one weight at a time, for a decoy its slice could not take.
 */
function* candidates(list: SiteList, lo: number, hi: number, from: number, stream: KeyedStream): Generator<number> {
  const { weight, large } = list;
  const slice = byWeight(weight, lo, hi).filter((k) => large[k] === 0);
  for (let g = 0; g < slice.length; ) {
    let end = g;
    while (end < slice.length && weight[slice[end]] === weight[slice[g]]) end++;
    for (let i = g; i < end; i++) {
      const j = i + stream.int(end - i);
      [slice[i], slice[j]] = [slice[j], slice[i]];
      yield slice[i];
    }
    g = end;
  }
  // The small sites, then the large: each in the order of a stable sort by weight of the list
  // rotated to start at `from`.
  const n = weight.length;
  for (const size of [0, 1]) {
    for (const w of list.weights) {
      for (let k = 0; k < n; k++) {
        const at = (from + k) % n;
        if (weight[at] === w && large[at] === size) yield at;
      }
    }
  }
}

/** Positions lo..hi-1 by weight, highest first, in list order among equals (a stable sort; weights are few small integers). */
function byWeight(weight: Int8Array, lo: number, hi: number): number[] {
  const buckets = new Map<number, number[]>();
  for (let k = lo; k < hi; k++) {
    const bucket = buckets.get(weight[k]);
    if (bucket) bucket.push(k);
    else buckets.set(weight[k], [k]);
  }
  return [...buckets.keys()].sort((a, b) => b - a).flatMap((w) => buckets.get(w)!);
}

/** Apply planned insertions with magic-string. */
export function applyPlacements(code: string, plans: readonly PlannedPlacement[]): string {
  const s = new MagicString(code);
  for (const p of plans) s.appendLeft(p.offset, p.text);
  return s.toString();
}
