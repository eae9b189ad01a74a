import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContent, MAX_SECTION_DEPTH, sniffMap, type MapSniff } from '../src/scan/sourcemap.js';
import { lineCount, PROJECT, tempDir, write } from './scan-helpers.js';

// The map reader: found by content, counted without JSON.parse, checked against JSON.parse.

const OPTIONS = { maxBytes: 64 * 1024 * 1024 };

function sniff(text: string | Buffer, name = 'x.map'): MapSniff {
  return sniffMap(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), name, OPTIONS);
}

/** What JSON.parse says a map exposes: the reference the walker is checked against. */
function expected(map: { sources?: unknown[]; sourcesContent?: unknown[] }): { withContent: number; lines: number; bytes: number } {
  let withContent = 0;
  let lines = 0;
  let bytes = 0;
  for (const c of map.sourcesContent ?? []) {
    if (typeof c !== 'string' || c === '') continue;
    withContent++;
    lines += lineCount(c);
    bytes += Buffer.byteLength(c, 'utf8');
  }
  return { withContent, lines, bytes };
}

function counted(result: MapSniff): { withContent: number; lines: number; bytes: number } {
  if (result.kind !== 'map') throw new Error(`not a map: ${JSON.stringify(result)}`);
  let withContent = 0;
  let lines = 0;
  let bytes = 0;
  for (const e of result.map.entries) {
    if (!e.content) continue;
    withContent++;
    lines += e.content.lines;
    bytes += e.content.bytes;
  }
  return { withContent, lines, bytes };
}

let realMap: string;

beforeAll(async () => {
  const { dir, cleanup } = tempDir('sourcemap');
  try {
    write(dir, PROJECT);
    await build({ entryPoints: [join(dir, 'src/index.ts')], bundle: true, sourcemap: 'external', outfile: join(dir, 'out/index.js'), logLevel: 'silent' });
    realMap = readFileSync(join(dir, 'out/index.js.map'), 'utf8');
  } finally {
    cleanup();
  }
});

describe('sniffMap', () => {
  it('counts a real esbuild map exactly as JSON.parse does', () => {
    const result = sniff(realMap);
    expect(counted(result)).toEqual(expected(JSON.parse(realMap)));
    if (result.kind !== 'map') throw new Error('not a map');
    expect(result.map.entries.map((e) => e.source)).toEqual(JSON.parse(realMap).sources);
    const first = result.map.entries[0];
    expect(decodeContent(result.body, first.content!)).toBe(JSON.parse(realMap).sourcesContent[0]);
  });

  it('counts escapes, \\u sequences, surrogate pairs and CRLF like JSON.parse', () => {
    const contents = ['a\nb\n', 'é€😀\n\\"quoted\\"', '\u2028x\r\ny', 'no newline', '\n', 'tab\there\u0000'];
    const map = { version: 3, sources: contents.map((_, i) => `s${i}.ts`), sourcesContent: contents, mappings: '' };
    // JSON.stringify writes raw non-ASCII; the ASCII-only form spells everything as \u escapes.
    const ascii = JSON.stringify(map).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    for (const text of [JSON.stringify(map), JSON.stringify(map, null, 2), ascii]) expect(counted(sniff(text))).toEqual(expected(map));
  });

  it('ignores null, empty and non-string sourcesContent entries', () => {
    const map = { version: 3, sources: ['a.ts', 'b.ts', 'c.ts', 'd.ts'], sourcesContent: [null, '', 42, 'x'], mappings: 'AAAA' };
    expect(counted(sniff(JSON.stringify(map)))).toEqual({ withContent: 1, lines: 1, bytes: 1 });
  });

  it('needs version 3 and mappings or sections; other JSON is not a map', () => {
    expect(sniff('{"version":3,"sources":[],"mappings":""}').kind).toBe('map');
    expect(sniff('{"version":3,"sections":[]}').kind).toBe('map');
    expect(sniff('{"version":2,"sources":[],"mappings":""}').kind).toBe('not-map');
    expect(sniff('{"version":3,"name":"pkg"}').kind).toBe('not-map');
    expect(sniff('{"name":"pkg","version":"3.0.0","mappings":{}}').kind).toBe('not-map');
    expect(sniff('[1,2,3]').kind).toBe('not-map');
    expect(sniff('').kind).toBe('not-map');
  });

  it('a truncated map is an invalid-map error; arbitrary broken JSON is not a map', () => {
    for (const cut of [20, realMap.length >> 1, realMap.length - 2]) {
      const result = sniff(realMap.slice(0, cut));
      expect(result.kind, `cut at ${cut}`).toBe('invalid');
      if (result.kind === 'invalid') expect(result.code).toBe('invalid-map');
    }
    expect(sniff('{"name": "x", "version": "1.0.0", "mappings": ').kind).toBe('not-map');
    expect(sniff('{"name": "x", "description": "has \\"version\\" and \\"mappings\\"" ').kind).toBe('not-map');
  });

  it('strips a )]}\' first line and decompresses gzip by magic bytes, whatever the name', () => {
    const prefixed = sniff(`)]}'garbage\n${realMap}`, 'app.txt');
    expect(prefixed.kind === 'map' && prefixed.form).toEqual(['xssi-prefixed']);
    const gz = sniff(gzipSync(realMap), 'map.bin');
    expect(gz.kind === 'map' && gz.form).toEqual(['gzip']);
    expect(counted(gz)).toEqual(expected(JSON.parse(realMap)));
  });

  it('a corrupt gzip file or oversized output is an error, never clean', () => {
    const gz = gzipSync(realMap);
    const truncated = sniff(gz.subarray(0, gz.length >> 1), 'x.map.gz');
    expect(truncated.kind === 'invalid' && truncated.code).toBe('corrupt-archive');
    const big = sniffMap(gz, 'x.map.gz', { maxBytes: 100 });
    expect(big.kind === 'invalid' && big.code).toBe('too-large');
    const notBrotli = sniff(Buffer.from('plain text that is not brotli at all'), 'notes.br');
    expect(notBrotli.kind).toBe('invalid');
  });

  it('reads index maps recursively and reports legacy sections[].url', () => {
    const inner = JSON.parse(realMap);
    const index = { version: 3, sections: [{ offset: { line: 0, column: 0 }, map: { version: 3, sections: [{ offset: { line: 0, column: 0 }, map: inner }] } }, { offset: { line: 9, column: 0 }, url: 'b.js.map' }] };
    const result = sniff(JSON.stringify(index));
    if (result.kind !== 'map') throw new Error('not a map');
    expect(result.map.kind).toBe('index-map');
    expect(result.map.sectionUrls).toEqual(['b.js.map']);
    expect(counted(result)).toEqual(expected(inner));
  });

  it('survives a value nested 100,000 levels deep, and bounds nested sections', () => {
    const depth = 100_000;
    const deepArray = `{"version":3,"mappings":"","x_extra":${'['.repeat(depth)}${']'.repeat(depth)},"sources":["a.ts"],"sourcesContent":["x"]}`;
    expect(counted(sniff(deepArray))).toEqual({ withContent: 1, lines: 1, bytes: 1 });
    const deepObject = `{"version":3,"mappings":"","x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    expect(sniff(deepObject).kind).toBe('map');
    const unbalanced = `{"version":3,"mappings":"","x":${'['.repeat(depth)}`;
    expect(sniff(unbalanced).kind).toBe('invalid');
    const deepSections = `${'{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":'.repeat(depth)}{}${'}]}'.repeat(depth)}`;
    const result = sniff(deepSections);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.message).toContain(`${MAX_SECTION_DEPTH}`);
  });

  it('invalid UTF-8 inside sourcesContent is counted in raw bytes, without crashing', () => {
    const bytes = Buffer.concat([Buffer.from('{"version":3,"mappings":"","sources":["a.ts"],"sourcesContent":["ab'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('c"]}')]);
    const result = sniff(bytes);
    expect(result.kind).toBe('map');
    expect(counted(result).withContent).toBe(1);
  });
});

describe('sniffMap properties', () => {
  const content = fc.oneof(fc.constant(null), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 50 }).map((s) => s.replace(/x/g, '\n')));
  const mapArb = fc.record({
    version: fc.constant(3),
    sources: fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null)), { maxLength: 8 }),
    sourcesContent: fc.array(content, { maxLength: 8 }),
    names: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
    mappings: fc.string({ maxLength: 40 }),
  });

  it('agrees with JSON.parse on random maps, in any spacing', () => {
    fc.assert(
      fc.property(mapArb, fc.constantFrom(0, 2, '\t'), (map, space) => {
        const text = JSON.stringify(map, null, space);
        expect(counted(sniff(text))).toEqual(expected(map));
      }),
      { numRuns: 300 },
    );
  });

  it('a valid map with content is never reported clean, and mutations never throw', () => {
    fc.assert(
      fc.property(mapArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (map, at, byte) => {
        const text = Buffer.from(JSON.stringify(map), 'utf8');
        const result = sniffMap(text, 'x.json', OPTIONS);
        if (expected(map).withContent > 0) expect(result.kind === 'map' && counted(result).withContent).toBeGreaterThan(0);
        const mutated = Buffer.from(text);
        mutated[at % mutated.length] = byte;
        sniffMap(mutated, 'x.json', OPTIONS);
        sniffMap(mutated.subarray(0, at % mutated.length), 'x.json', OPTIONS);
      }),
      { numRuns: 300 },
    );
  });
});
