import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'acorn';
import fc from 'fast-check';
import { transform } from 'esbuild';
import { minify } from 'terser';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundedDistance, NameIndex, NEAR_DISTANCE } from '../src/decoys/names.js';
import { ARGUMENTS0, FLAGLIKE, scanChunk } from '../src/decoys/scan.js';

// The byte scan against a full acorn parse of real code (acorn's own distribution, as written
// and minified by esbuild and by terser): every host it reports is a real function body or
// switch, and every identifier or string long enough to matter is in its name set (a missed
// name could let a decoy collide with a real one).

const require = createRequire(import.meta.url);
const samples = new Map<string, string>();

// acorn has no string switch on a plain identifier, no tool definition and no flag getter: an
// agent-like tail adds each, so that every kind of record is checked against the truth.
const AGENT_TAIL = `
export function routeTool(kind, input) { switch (kind) { case "read_file": return input.path; case "list_dir": return input.dir; case "web_fetch": return input.url; default: return null; } }
export function flagsFor(getFlag) { return [getFlag("agent_fast_mode", false), getFlag("agent_stream_replies", true)]; }
export const TOOLS = [{ name: "read_file", description: "Reads a file.", input_schema: { type: "object", properties: { path: { type: "string" } } } }];
`;

beforeAll(async () => {
  const source = readFileSync(join(dirname(require.resolve('acorn')), 'acorn.mjs'), 'utf8') + AGENT_TAIL;
  samples.set('acorn as written', source);
  samples.set('acorn, esbuild --minify', (await transform(source, { minify: true, format: 'esm' })).code);
  samples.set('acorn, terser', (await minify(source, { module: true })).code!);
});

interface Truth {
  bodies: Map<number, { params: string[]; arrow: boolean }>;
  switches: Map<number, string | undefined>;
  names: Set<string>;
}

function truth(code: string): Truth {
  const bodies: Truth['bodies'] = new Map();
  const switches: Truth['switches'] = new Map();
  const names = new Set<string>();
  const fold = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '').toLowerCase();
  const addName = (raw: string) => {
    if (raw.length < 10 || raw.length > 160) return;
    const f = fold(raw);
    if (f.length >= 10 && f.length <= 96) names.add(f);
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown> & { type?: string; start: number };
    if ((n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ArrowFunctionExpression') && (n.body as { type: string }).type === 'BlockStatement') {
      const params = (n.params as Array<{ type: string; name?: string }>).map((p) => (p.type === 'Identifier' ? p.name! : '?'));
      bodies.set((n.body as { start: number }).start + 1, { params, arrow: n.type === 'ArrowFunctionExpression' });
    }
    if (n.type === 'SwitchStatement') {
      const d = n.discriminant as { type: string; name?: string };
      switches.set(n.start, d.type === 'Identifier' ? d.name : undefined);
    }
    if (n.type === 'Identifier' || n.type === 'PrivateIdentifier') addName(n.name as string);
    if (n.type === 'Literal' && typeof n.value === 'string') addName(n.value);
    if (n.type === 'TemplateElement') addName((n.value as { raw: string }).raw);
    for (const [k, v] of Object.entries(n)) if (k !== 'type' && v && typeof v === 'object') visit(v);
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  return { bodies, switches, names };
}

describe.each(['acorn as written', 'acorn, esbuild --minify', 'acorn, terser'])('%s', (name) => {
  it('reports only real function bodies and switches, with their real parameter or discriminant', () => {
    const code = samples.get(name)!;
    const scan = scanChunk(code);
    const t = truth(code);
    expect(scan.confused).toBe(false);
    expect(scan.hosts.length).toBeGreaterThan(100);
    for (const h of scan.hosts) {
      const body = t.bodies.get(h.bodyStart);
      expect(body, `host at ${h.bodyStart}`).toBeDefined();
      if (h.param === ARGUMENTS0) {
        expect(body!.params).toEqual([]);
        expect(body!.arrow).toBe(false);
      } else expect(body!.params[0]).toBe(h.param);
      expect(code[h.bodyEnd]).toBe('}');
    }
    // It finds most of them (those with plain parameters and no directive).
    const plain = [...t.bodies.values()].filter((b) => b.params.every((p) => p !== '?') && (b.params.length > 0 || !b.arrow)).length;
    expect(scan.hosts.length).toBeGreaterThan(plain * 0.8);
    expect(scan.switches.length).toBeGreaterThan(0);
    for (const s of scan.switches) expect(t.switches.get(s.start), `switch at ${s.start}`).toBe(s.discriminant);
  });

  it('misses no identifier or string that could collide with a decoy', () => {
    const code = samples.get(name)!;
    const scan = scanChunk(code);
    const missing = [...truth(code).names].filter((n) => !scan.names.has(n));
    expect(missing).toEqual([]);
  });
});

describe('tricky syntax', () => {
  const cases: Array<[string, string, string[]]> = [
    ['regex with a quote and a slash in a class', `var r=/["'/]/g;function f(a){return a}`, ['a']],
    ['division after a call and a member', 'var x=f(1)/2/g(3);function f(a){return a/2}', ['a']],
    ['regex after return and typeof', 'function f(a){return /x{2}/.test(a)}function g(b){return typeof /y/}', ['a', 'b']],
    ['nested templates with braces', 'var t=`a${`b${{c:1}.c}`}d`;function f(a){return `${a}}`}', ['a']],
    ['comments with quotes and braces', '/* "{ */ // \'}\nfunction f(a){/* ` */return a}', ['a']],
    ['escaped quotes and a line continuation', 'var s="a\\"b",u=\'c\\\'d\',v="e\\\nf";function f(a){return a}', ['a']],
    ['async arrows, generators and methods', 'const o={m(a){return a},async n(b){await b},*g(c){yield c}};const h=async(d,e)=>{await d};', ['a', 'b', 'c', 'd']],
    ['no parameters: arguments, never for arrows', 'function f(){return 1}const g=()=>{return 2};', [ARGUMENTS0]],
    ['hashbang and class fields', '#!/usr/bin/env node\nclass A{#p=1;static{this.q=2}m(a){return this.#p+a}}', ['a']],
  ];
  it.each(cases)('%s', (_label, code, params) => {
    const scan = scanChunk(code);
    expect(scan.confused).toBe(false);
    expect(scan.hosts.map((h) => h.param)).toEqual(params);
    const t = truth(code);
    for (const h of scan.hosts) expect(t.bodies.has(h.bodyStart)).toBe(true);
  });

  it('counts a declaration exported later by an export clause as exported, not one a string names', () => {
    const exported = scanChunk('function helper(a){return a}function other(b){return b}export{helper as h};');
    expect(exported.hosts.map((h) => [h.param, h.kind])).toEqual([['a', 'exported'], ['b', 'declaration']]);
    const mentioned = scanChunk('var s="export{helper}";function helper(a){return a}');
    expect(mentioned.hosts.map((h) => [h.param, h.kind])).toEqual([['a', 'declaration']]);
  });

  it('reports when it loses track instead of guessing', () => {
    expect(scanChunk('var s = "unterminated\nfunction f(a){return a}').confused).toBe(true);
  });
});

describe('near-miss search over the names the scan kept', () => {
  // The search (in the scanner's WebAssembly module: length buckets and character masks, then
  // the edit distance) against a plain search of every name with the same distance function.
  const editsOf = (name: string, random: () => number, edits: number): string => {
    let s = name;
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (s.length + 1));
      const c = letters[Math.floor(random() * letters.length)];
      const kind = Math.floor(random() * 3);
      if (kind === 0) s = s.slice(0, at) + c + s.slice(at);
      else if (kind === 1 && s.length > 1) s = s.slice(0, Math.min(at, s.length - 1)) + s.slice(Math.min(at, s.length - 1) + 1);
      else s = s.slice(0, Math.min(at, s.length - 1)) + c + s.slice(Math.min(at, s.length - 1) + 1);
    }
    return s;
  };

  it.each(['acorn as written', 'acorn, esbuild --minify'])('%s: the same verdict as a plain search, and only true near names', (name) => {
    const scan = scanChunk(samples.get(name)!);
    const all = [...new Set(scan.names)];
    expect(all.length).toBeGreaterThan(200);
    const index = new NameIndex();
    index.addAll(scan.names);
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const queries: string[] = [];
    for (let q = 0; q < 400; q++) {
      const base = all[Math.floor(random() * all.length)];
      // Names themselves, one or two edits away, three or more away, and unrelated words.
      queries.push(q % 4 === 0 ? base : q % 4 === 3 ? 'zq' + editsOf(base, random, 5) + 'xj' : editsOf(base, random, (q % 4) + (q % 8 >= 4 ? 2 : 0)));
    }
    let found = 0;
    for (const query of queries) {
      const expected = all.some((n) => boundedDistance(query, n, NEAR_DISTANCE) <= NEAR_DISTANCE);
      const hit = index.near(query);
      expect(hit !== undefined, query).toBe(expected);
      if (hit !== undefined) {
        found++;
        expect(all).toContain(hit);
        expect(boundedDistance(query, hit, NEAR_DISTANCE)).toBeLessThanOrEqual(NEAR_DISTANCE);
      }
    }
    // Both verdicts occur, so the comparison means something.
    expect(found).toBeGreaterThan(100);
    expect(found).toBeLessThan(queries.length - 50);
  });

  it('finds the decoded value of a string with escapes', () => {
    const scan = scanChunk('var s = "read\\u005fworkspace\\u005fsnapshot";');
    expect(scan.names.has('readworkspacesnapshot')).toBe(true);
    const index = new NameIndex();
    index.addAll(scan.names);
    expect(index.near('readworkspacesnapshots')).toBe('readworkspacesnapshot');
  });
});

describe('the two builds of the scanner', () => {
  it('the ASCII build and the UTF-16 build report the same on the same code', () => {
    // esbuild's minified sample is ASCII (one byte per character); one non-ASCII character in a
    // comment after it sends the same code to the UTF-16 build.
    const ascii = samples.get('acorn, esbuild --minify')!;
    expect(ascii).toMatch(/^[\x00-\x7f]*$/);
    const narrow = scanChunk(ascii);
    const wide = scanChunk(ascii + '// \u00e9t\u00e9\n');
    expect(narrow.hosts.length).toBeGreaterThan(100);
    expect([narrow.switches.length, narrow.toolObjects.length, narrow.stringCalls.size]).not.toContain(0);
    expect(wide.hosts).toEqual(narrow.hosts);
    expect(wide.switches).toEqual(narrow.switches);
    expect(wide.toolObjects).toEqual(narrow.toolObjects);
    expect(wide.stringCalls).toEqual(narrow.stringCalls);
    expect(new Set(wide.names)).toEqual(new Set(narrow.names));
    expect([wide.confused, wide.singleQuotes, wide.minified]).toEqual([narrow.confused, narrow.singleQuotes, narrow.minified]);
  });
});

describe('tool definitions', () => {
  // Their own name and description (decoded) and the extent of their schema literal, as the
  // scan reports them, against acorn: as written, and minified by esbuild and by terser.
  const source = [
    'export const tools = [',
    '  { name: "read_file", description: "Reads a file.\\nReturns its text.", input_schema: { type: "object", properties: { name: { type: "string", description: "not the tool" } }, required: ["name"] } },',
    "  { 'name': 'list_dir', description: `Lists a directory`, inputSchema: { type: 'object', properties: { depth: { type: 'number', enum: [1, 2] } } } },",
    '  { description: "A \\u0066etch tool", parameters: schemaFor("fetch"), name: "web_fetch" },',
    '  { name: pick ? "a_tool_name" : "b", input_schema: { type: "object" }, async call(input) { return { name: "inner_value", description: "inner" }; } },',
    '];',
    'const settings = { parameters: { name: "not_a_tool_but_named" } };',
  ].join('\n');

  function truthTools(code: string) {
    const out: Array<{ name?: string; description?: string; schema?: string }> = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const n = node as { type?: string; properties?: Array<{ type: string; key: { name?: string; value?: string }; value: { type: string; value?: unknown; start: number; end: number; quasis?: Array<{ value: { cooked: string } }>; expressions?: unknown[] } }> };
      if (n.type === 'ObjectExpression') {
        const own = new Map(n.properties!.filter((p) => p.type === 'Property').map((p) => [p.key.name ?? p.key.value, p.value]));
        const key = ['input_schema', 'inputSchema', 'parameters'].find((k) => own.has(k));
        if (key) {
          const str = (v: (typeof own extends Map<unknown, infer V> ? V : never) | undefined) =>
            v?.type === 'Literal' && typeof v.value === 'string' ? v.value : v?.type === 'TemplateLiteral' && v.expressions!.length === 0 ? v.quasis![0].value.cooked : undefined;
          const schema = own.get(key)!;
          out.push({ name: str(own.get('name')), description: str(own.get('description')), schema: schema.type === 'ObjectExpression' ? code.slice(schema.start, schema.end) : undefined });
        }
      }
      for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
    };
    visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
    return out;
  }

  it.each([
    ['as written', async () => source],
    ['esbuild --minify', async () => (await transform(source, { minify: true, format: 'esm' })).code],
    ['terser', async () => (await minify(source, { module: true })).code!],
  ])('%s', async (_label, make) => {
    const code = await make();
    const scan = scanChunk(code);
    const got = scan.toolObjects.map((t) => ({ name: t.name, description: t.description, schema: t.schema ? code.slice(t.schema.start, t.schema.end) : undefined }));
    const expected = truthTools(code).map((t) => (t.name === undefined ? { ...t, name: undefined } : t));
    // A name given by an expression (`pick ? "a" : "b"`) is no literal: neither side reports one.
    expect(got).toEqual(expected);
    expect(got.filter((t) => t.name).length).toBeGreaterThanOrEqual(3);
  });
});

describe('flag-shaped strings', () => {
  // The scanner decides the flag shape itself (the host no longer runs FLAGLIKE over thousands of
  // strings): it must agree with FLAGLIKE on every string, near misses included.
  it('are exactly the string literals FLAGLIKE matches', () => {
    const alphabet = fc.constantFrom(...'aZ9_.:-$ x'.split(''));
    // Near flags too: up to 10 runs of letters and digits (some empty) joined by separators.
    const runs = fc
      .tuple(fc.array(fc.string({ unit: fc.constantFrom('a', 'Z', '9'), maxLength: 3 }), { minLength: 1, maxLength: 10 }), fc.constantFrom('_', '.', ':', '-'))
      .map(([parts, sep]) => parts.join(sep))
      .filter((v) => v.length >= 4);
    const value = fc.oneof(fc.string({ unit: alphabet, minLength: 4, maxLength: 30 }), runs);
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), (values) => {
        const code = values.map((v) => `get(${JSON.stringify(v)});`).join('\n');
        const scan = scanChunk(code);
        expect([...scan.nameStrings].sort()).toEqual([...new Set(values.filter((v) => FLAGLIKE.test(v)))].sort());
      }),
      { numRuns: 300 },
    );
  });
});
