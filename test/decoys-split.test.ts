import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantDecoys } from '../src/decoys/index.js';
import { ScanBatch, type ScanResult, scanChunk, scanChunkSplitInThread, startSplitWorker } from '../src/decoys/scan.js';
import { setSplitScans, silenceScanWorker, splitPoints, splitScansDone, splitWorkerReady, stopScanWorker } from '../src/decoys/scan-split.js';
import { APP_DIR, TEST_KEY, tempDir } from './decoys-helpers.js';

// A large chunk's scan split in two (this thread up to a `;`, the scan worker from there, then
// merged) must report exactly what the one-piece scan reports, wherever the split falls: the
// second half starts with empty stacks and records what only the first half knows as events.
// Names are compared as sets: each half skips repeats it has just seen, so the order and the
// repeats of the names block differ, never the names.

function normal(scan: ScanResult): string {
  return JSON.stringify({
    hosts: scan.hosts,
    switches: scan.switches,
    tools: scan.toolObjects,
    calls: [...scan.stringCalls].map(([callee, values]) => [callee, [...values]]),
    nameStrings: [...scan.nameStrings],
    names: [...new Set(scan.names)].sort(),
    minified: scan.minified,
    singleQuotes: scan.singleQuotes,
    confused: scan.confused,
  });
}

/** The split points the scan itself would use around `at`: just after a `;`, reading again from one 200 characters earlier. */
function pointsAt(code: string, at: number): { from: number; split: number } | undefined {
  const semi = code.indexOf(';', at);
  if (semi < 0) return undefined;
  const from = code.lastIndexOf(';', semi + 1 - 200) + 1;
  return from > 0 ? { from, split: semi + 1 } : undefined;
}

const bundles = new Map<string, string>();

beforeAll(async () => {
  // Real code of every shape: this project's own library and its dependencies (classes, string
  // switches, templates, regular expressions), minified and as written; and the decoy fixture app
  // (tool definitions, flag getters). esbuild writes ASCII, the build a split scan is for.
  for (const minify of [true, false]) {
    const out = await build({ entryPoints: ['src/index.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'bundle', minify, write: false, logLevel: 'silent', external: ['esbuild', 'rollup', 'vite', 'webpack', '@rspack/core', 'rolldown', 'typescript'] });
    bundles.set(minify ? 'pillbox, minified' : 'pillbox, as written', out.outputFiles[0].text);
  }
  const app = await build({ entryPoints: [`${APP_DIR}/main.js`], bundle: true, format: 'esm', minify: true, write: false, logLevel: 'silent' });
  bundles.set('decoy fixture app, minified', app.outputFiles[0].text);
}, 60_000);

afterAll(() => {
  stopScanWorker();
  setSplitScans(true);
});

describe('a split scan reports what the one-piece scan reports', () => {
  it.each(['pillbox, minified', 'pillbox, as written', 'decoy fixture app, minified'])('%s, split at 60 points', (name) => {
    const code = bundles.get(name)!;
    expect(/^[\x00-\x7f]*$/.test(code)).toBe(true);
    const want = normal(scanChunk(code));
    let tried = 0;
    let merged = 0;
    for (let k = 1; k < 61; k++) {
      const points = pointsAt(code, Math.floor((code.length * k) / 61));
      if (!points) continue;
      tried++;
      const split = scanChunkSplitInThread(code, [points]);
      expect(normal(split.result), `split at ${points.split}`).toBe(want);
      if (split.merged) merged++;
    }
    expect(tried).toBeGreaterThan(50);
    // Most splits merge (the rest scan on alone, which is the one-piece scan by construction).
    expect(merged / tried).toBeGreaterThan(0.6);
  });

  // Each thing the second half must leave to the first, with the split inside it: the halves
  // merge, and the result is the one-piece scan's.
  const FILLER = 'var filler_value_padding=1;'.repeat(12);
  const cases: Array<[string, string, string]> = [
    ['a host closed after the split (its body end)', `${FILLER}export function handle(request){var a=1;/*S*/var b=2;return a+b}`, 'var b'],
    ['`param === "..."` for a host opened before the split', `${FILLER}export function route(request){var a=1;/*S*/if(request==="read_file")return a;return 0}`, 'if(request'],
    ['a switch in a function opened before the split', `${FILLER}export function route(kind){var a=1;/*S*/switch(kind){case "x":return 1;default:return a}}`, 'switch'],
    ['a top-level declaration once every brace open at the split has closed', `${FILLER}var wrap={a(){var q=1;/*S*/return q}};function topLevelOne(name){return name}export{topLevelOne};`, 'return q'],
    ['`case "..."` and `default:` of a switch opened before the split', `${FILLER}export function route(kind){switch(kind){case "a":kind+=1;/*S*/case "b":return 2;default:return 3}}`, 'case "b"'],
    ['a callback whose call was opened before the split', `${FILLER}list.forEach(function(item){var x=1;/*S*/x++},function(other){return other});`, 'x++'],
    ['a method of a class opened before the split', `${FILLER}class Service{load(key){var k=1;/*S*/return k}save(value){return value}}`, 'return k'],
    ['a tool definition\'s name and description after the split, its object opened before it', `${FILLER}var tool={input_schema:{type:"object"},run(x){x();/*S*/return 1},name:"read_file_tool",description:"Reads one file."};`, 'return 1'],
    ['a method of an object literal opened before the split', `${FILLER}var api={load(key){var k=1;/*S*/return k},save(value){return value}};`, 'return k'],
  ];
  it.each(cases)('%s', (_name, source, after) => {
    const code = source.replace('/*S*/', '');
    const split = source.indexOf('/*S*/');
    expect(code.slice(split).startsWith(after)).toBe(true);
    expect(code[split - 1]).toBe(';');
    const from = code.lastIndexOf(';', split - 200) + 1;
    const got = scanChunkSplitInThread(code, [{ from, split }]);
    expect(got.merged).toBe(true);
    expect(normal(got.result)).toBe(normal(scanChunk(code)));
  });

  // Found by the property below: the second half re-reads the text before the split from an
  // earlier `;`, where it may read it otherwise than the first half did (here a `/` it cannot
  // tell from division, so a regular expression to the first half is a string to it). A name it
  // met there must not make it skip the same name after the split.
  it('a name the second half met while reading the text before the split again is still kept after it', () => {
    // No `;` between the filler and the split's: the second half starts reading right after the
    // filler, where its ring is unknown (not the `;` the first half saw), and takes the first half's
    // regular expression `/ 2 flag("...")/g` for a division, a call and a string.
    const code = `${FILLER} / 2 flag("amber_lantern_mode")/g\n${'function handle(request){'.repeat(8)}x=1;flag("amber_lantern_mode")}`;
    const split = code.lastIndexOf(';') + 1;
    const from = code.lastIndexOf(';', split - 200) + 1;
    expect(from).toBe(FILLER.length);
    const got = scanChunkSplitInThread(code, [{ from, split }]);
    expect(got.merged).toBe(true);
    expect(got.result.names.has('amberlanternmode')).toBe(true);
    expect(normal(got.result)).toBe(normal(scanChunk(code)));
  });

  // Where the first half's state cannot be carried over, the scan goes on in one piece.
  it.each([
    // The text before the split ends where the comment does, but its last token is the `{`: the
    // string after the split is the function's directive prologue, which the second half cannot know.
    ['the `;` at the split ends a line comment', `${FILLER}function handle(request){// comment;/*S*/\n"use strict"}`],
    ['the split falls inside a template substitution', `${FILLER}var t=\`a\${(()=>{var p=1;/*S*/return p})()}b\`;`],
    ['the `;` at the split is inside a string', `${FILLER}var s="a;/*S*/b";var z=1;`],
    ['the `;` at the split is inside a regular expression', `${FILLER}var r=/a;/*S*/b/g;var z=1;`],
  ])('%s: not merged, same result', (_name, source) => {
    const code = source.replace('/*S*/', '');
    const split = source.indexOf('/*S*/');
    const from = code.lastIndexOf(';', split - 200) + 1;
    const got = scanChunkSplitInThread(code, [{ from, split }]);
    expect(got.merged).toBe(false);
    expect(normal(got.result)).toBe(normal(scanChunk(code)));
  });

  // Any ASCII text, valid JavaScript or not: the halves either merge into exactly the one-piece
  // result or the scan goes on alone (which is the one-piece scan by construction).
  it('any text made of JavaScript pieces, split after any `;`', () => {
    const pieces = [
      'function handle(request){', 'function(a,b){', '(x)=>{', 'x=>{', 'async function run(q){', '}', '{', '(', ')', ';', ',', ':',
      'class Service{', 'static{', 'load(key){', 'get name(){', 'switch(kind){', 'case "read_file":', 'default:', 'return ', 'if(request==="a")',
      'var tool={name:"read_workspace_file",description:"Reads it.",input_schema:{type:"object"}}', '`a${', '`t`', '"str;ing"', "'sq;x'",
      '/re;g/g', ' / 2 ', '// comment;\n', '/* c;c */', 'flag("amber_lantern_mode")', 'list.map(function(item){', 'export{handle}', '\n', ' ',
      'x++', 'a.b=function(p){', 'new Foo(', 'value', '0x1f', '.5e-3',
      '${', '`', '={', '},', 'name:"read_workspace_long"', 'description:"Reads."', 'input_schema:', 'parameters:{', 'case "b";', 'static ', 'get(x){', '=>', 'else{', 'for(;;){',
      'x==="tool_name_here"', 'request==="abc_def_ghij"', '"use strict";', 'await ', 'typeof ', '[', ']', '?', '.map(', '#priv', '\\u0061',
    ];
    let tried = 0;
    let merged = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 20, maxLength: 300 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (parts, picks) => {
        const code = FILLER + parts.join('');
        const semis: number[] = [];
        for (let i = FILLER.length; i < code.length; i++) if (code[i] === ';') semis.push(i + 1);
        if (semis.length === 0) return;
        const want = normal(scanChunk(code));
        for (const pick of picks) {
          const split = semis[pick % semis.length];
          const got = scanChunkSplitInThread(code, [{ from: code.lastIndexOf(';', split - 200) + 1, split }]);
          expect(normal(got.result)).toBe(want);
          tried++;
          if (got.merged) merged++;
        }
      }),
      { numRuns: 300 },
    );
    // Enough of them merge for the comparison to mean something.
    expect(merged).toBeGreaterThan(tried / 10);
  });

  it('takes the next split point when the first is inside a string', () => {
    const code = `${FILLER}var s="a;b";${FILLER}var z=1;`;
    const inString = code.indexOf('a;b') + 2;
    const later = code.lastIndexOf(';', code.length - 2) + 1;
    const points = [inString, later].map((split) => ({ from: code.lastIndexOf(';', split - 200) + 1, split }));
    expect(scanChunkSplitInThread(code, points.slice(0, 1)).merged).toBe(false);
    const got = scanChunkSplitInThread(code, points);
    expect(got.merged).toBe(true);
    expect(normal(got.result)).toBe(normal(scanChunk(code)));
  });

  it('offers split points just after a `;` from the middle on, 2,000 characters apart, each with 200 characters to read again', () => {
    const code = 'a;'.repeat(20_000);
    const points = splitPoints(code);
    expect(points).toHaveLength(8);
    for (const [i, p] of points.entries()) {
      expect(code[p.split - 1]).toBe(';');
      expect(p.split).toBeGreaterThanOrEqual(20_000 + 2000 * i);
      expect(p.split - p.from).toBeGreaterThanOrEqual(200);
    }
    expect(splitPoints('no semicolons here')).toEqual([]);
  });
});

describe('the scan worker', () => {
  it("is started by a process's second batch of scans with a large ASCII chunk, for the ones after it", async () => {
    stopScanWorker();
    const one = bundles.get('pillbox, minified')!;
    const code = (one + '\n').repeat(Math.ceil((1.2 * 1024 * 1024) / one.length));
    const batch = (text: string) => {
      const b = new ScanBatch();
      b.scan(text);
      b.release();
    };
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    // Under 1 MiB, or a first large batch (a process that builds once): nothing started.
    batch(one);
    batch(one);
    await settle();
    expect(splitWorkerReady()).toBe(false);
    const before = splitScansDone();
    batch(code);
    await settle();
    expect(splitWorkerReady()).toBe(false);
    // The second large batch is scanned in one piece too, and starts the worker for the next.
    batch(code);
    expect(splitScansDone()).toBe(before);
    for (let waited = 0; !splitWorkerReady() && waited < 20_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(splitWorkerReady()).toBe(true);
  }, 30_000);

  it('takes the second half of a large ASCII chunk, and decoys come out byte for byte the same', async () => {
    // Over 1 MiB (smaller chunks are scanned in one piece).
    const one = bundles.get('pillbox, minified')!;
    const code = (one + '\n').repeat(Math.ceil((1.2 * 1024 * 1024) / one.length));
    setSplitScans(false);
    const serial = scanChunk(code);
    const dir = tempDir();
    const plain = await plantDecoys([{ fileName: 'big.js', code }], { key: TEST_KEY, channel: 'npm', release: '1.0.0', manifestDir: `${dir}/a`, onWarning: () => {} });

    setSplitScans(true);
    startSplitWorker();
    for (let waited = 0; !splitWorkerReady() && waited < 20_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(splitWorkerReady()).toBe(true);
    const before = splitScansDone();
    expect(normal(scanChunk(code))).toBe(normal(serial));
    expect(splitScansDone()).toBe(before + 1);
    const split = await plantDecoys([{ fileName: 'big.js', code }], { key: TEST_KEY, channel: 'npm', release: '1.0.0', manifestDir: `${dir}/b`, onWarning: () => {} });
    expect(splitScansDone()).toBe(before + 2);
    expect(split.chunks[0].code).toBe(plain.chunks[0].code);
    expect(split.planted).toBe(plain.planted);
  }, 60_000);

  it('is not used for code that is not ASCII, nor once turned off', () => {
    expect(splitWorkerReady()).toBe(true);
    const before = splitScansDone();
    const one = bundles.get('pillbox, minified')!;
    const code = (one + '\n').repeat(Math.ceil((1.2 * 1024 * 1024) / one.length));
    scanChunk(code + '// é');
    setSplitScans(false);
    scanChunk(code);
    setSplitScans(true);
    expect(splitScansDone()).toBe(before);
  });

  it('a worker that stops answering costs a timeout, not the result; the next scan goes on without it', () => {
    expect(splitWorkerReady()).toBe(true);
    const one = bundles.get('pillbox, minified')!;
    const code = (one + '\n').repeat(Math.ceil((1.2 * 1024 * 1024) / one.length));
    setSplitScans(false);
    const serial = normal(scanChunk(code));
    setSplitScans(true);
    const before = splitScansDone();
    silenceScanWorker();
    expect(normal(scanChunk(code))).toBe(serial);
    // Only the timeout stops the worker.
    expect(splitWorkerReady()).toBe(false);
    expect(normal(scanChunk(code))).toBe(serial);
    expect(splitScansDone()).toBe(before);
  }, 30_000);
});
