import { parse, parseExpressionAt, type Node, type Options } from 'acorn';
import MagicString from 'magic-string';
import type { Decoy } from '../core/decoy-types.js';
import type { KeyedStream } from './random.js';
import type { FunctionHost, ScanResult, SwitchHost } from './scan.js';
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

function emitFor(code: string, scan: ScanResult): Emit {
  const sample = code.length > 200_000 ? code.slice(0, 100_000) + code.slice(-100_000) : code;
  let dq = 0;
  let sq = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 34) dq++;
    else if (c === 39) sq++;
  }
  return { min: scan.minified, q: sq > dq ? "'" : '"', sp: scan.minified ? '' : ' ' };
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
const MAX_HOST_BYTES = 16_384;

/** Re-parse a host with acorn and check that the scan read it right. */
export function verifyFunctionHost(code: string, h: FunctionHost): boolean {
  if (h.bodyEnd - h.start > MAX_HOST_BYTES) return false;
  let fn: Node & { params?: Array<Node & { name?: string }>; body?: Node; value?: Node };
  try {
    if (h.isMethod) {
      const text = code.slice(h.start, h.bodyEnd + 1);
      const obj = parseExpressionAt(`({${text}})`, 0, PARSE_OPTIONS) as Node & { expression?: Node; properties?: Array<Node & { value: Node }> };
      const props = (obj as unknown as { properties?: Array<Node & { value: Node }> }).properties;
      if (!props || props.length !== 1) return false;
      fn = props[0].value as typeof fn;
      if (!fn || fn.end !== text.length + 2 || !fn.body || fn.body.start !== h.bodyStart - 1 - h.start + 2) return false;
    } else {
      fn = parseExpressionAt(code, h.start, PARSE_OPTIONS) as typeof fn;
      if (!fn.body || fn.body.start !== h.bodyStart - 1 || fn.body.end !== h.bodyEnd + 1) return false;
    }
  } catch {
    // `await`/`yield` inside, a sloppy-only construct, or the scan misread: just skip this host.
    return false;
  }
  if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') return false;
  const first = fn.params?.[0];
  if (!first || first.type !== 'Identifier' || first.name !== h.param) return false;
  const body = fn.body as Node & { type: string; body?: Array<Node & { directive?: string }> };
  if (body.type !== 'BlockStatement') return false;
  if (body.body?.[0]?.directive !== undefined) return false;
  return true;
}

export function verifySwitchHost(code: string, s: SwitchHost, insertAt: number): boolean {
  if (s.bodyEnd - s.start > MAX_HOST_BYTES * 4) return false;
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
  // A `let d`/`const d` inside the switch body would shadow the discriminant (TDZ): skip.
  const bodyText = text.slice(s.bodyStart - s.start);
  if (new RegExp(`\\b(let|const|class)\\b[^;]*\\b${s.discriminant.replace(/\$/g, '\\$')}\\b`).test(bodyText)) return false;
  return true;
}

function hostWeight(h: FunctionHost): number {
  const base = h.kind === 'callback' || h.kind === 'method' ? 4 : h.kind === 'exported' || h.kind === 'property' ? 3 : h.kind === 'iife' ? 0 : 1;
  return base + (h.compares > 0 ? 2 : 0);
}

function indentAt(code: string, offset: number): string {
  const nl = code.indexOf('\n', offset);
  if (nl < 0 || nl - offset > 200) return '';
  const m = /^[ \t]*/.exec(code.slice(nl + 1, nl + 101));
  const rest = code.slice(offset, nl).trim();
  return rest === '' && m ? '\n' + m[0] : '';
}

/**
 * Plan where `decoys` go in one chunk. Sites are spread over the chunk (one per slice of the
 * candidate list), chosen and ordered by the keyed stream; every site is re-parsed with acorn.
 */
export function planChunk(code: string, scan: ScanResult, decoys: readonly Decoy[], style: LearnedStyle, stream: KeyedStream): PlannedPlacement[] {
  if (scan.confused || decoys.length === 0) return [];
  const e = emitFor(code, scan);
  type Site = { kind: 'fn'; host: FunctionHost; at: number } | { kind: 'sw'; host: SwitchHost; at: number };
  const fnSites: Site[] = scan.hosts
    .filter((h) => hostWeight(h) > 0 && h.bodyEnd - h.start <= MAX_HOST_BYTES)
    .map((host) => ({ kind: 'fn' as const, host, at: host.bodyStart }));
  const swSites: Site[] = scan.switches.map((host) => ({ kind: 'sw' as const, host, at: host.defaultAt >= 0 ? host.defaultAt : host.bodyEnd }));
  const all = [...fnSites, ...swSites].sort((a, b) => a.at - b.at);
  if (all.length === 0) return [];

  const order = stream.shuffle(decoys);
  const slices = Math.min(order.length, all.length);
  const used = new Set<number>();
  const out: PlannedPlacement[] = [];
  for (let d = 0; d < order.length; d++) {
    const decoy = order[d];
    // This decoy's slice of the chunk, then a keyed pick inside it weighted towards good hosts.
    const slice = d % slices;
    const lo = Math.floor((slice * all.length) / slices);
    const hi = Math.floor(((slice + 1) * all.length) / slices);
    const candidates = stream.shuffle(all.slice(lo, hi)).sort((a, b) => weight(b) - weight(a));
    // Prefer a switch or a comparing host now and then, so forms vary.
    let placed = false;
    for (const site of candidates.concat(stream.shuffle(all))) {
      if (used.has(site.at)) continue;
      if (site.kind === 'fn' && !verifyFunctionHost(code, site.host)) {
        used.add(site.at);
        continue;
      }
      if (site.kind === 'sw' && !verifySwitchHost(code, site.host, site.at)) {
        used.add(site.at);
        continue;
      }
      used.add(site.at);
      const guard = stream.pick(GUARD_KINDS);
      const param = site.kind === 'fn' ? site.host.param : site.host.discriminant;
      const value = decoyValue(decoy, style, e, param, stream);
      const test = guardText(guard, param, decoy.name, e, stream);
      let text: string;
      if (site.kind === 'fn') {
        const stmt = statement(test, value, true, e);
        const indent = e.min ? '' : indentAt(code, site.at);
        text = e.min ? stmt : indent ? indent + stmt : ' ' + stmt;
      } else {
        const stmt = statement(test, value, site.host.inFunction, e);
        let j = site.at - 1;
        while (j >= 0 && /\s/.test(code[j])) j--;
        const needsSemi = !';{}:'.includes(code[j]);
        const clause = `case ${str(e, decoy.name)}:${e.sp}${stmt}`;
        text = (needsSemi ? ';' : '') + (e.min ? clause : clause + ' ');
      }
      out.push({ decoy, site: site.kind === 'fn' ? 'function-start' : 'switch-case', guard, offset: site.at, text });
      placed = true;
      break;
    }
    if (!placed) break;
  }
  return out;

  function weight(site: Site): number {
    if (site.kind === 'sw') return 5;
    return hostWeight(site.host);
  }
}

/** Apply planned insertions with magic-string. */
export function applyPlacements(code: string, plans: readonly PlannedPlacement[]): string {
  const s = new MagicString(code);
  for (const p of plans) s.appendLeft(p.offset, p.text);
  return s.toString();
}
