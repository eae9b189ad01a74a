import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { plantDecoys, type PlantResult } from '../src/decoys/index.js';
import { reminifyEsbuild, tempDir, TEST_KEY } from './decoys-helpers.js';

// At scale: the TypeScript compiler (a 3+ MB minified CommonJS bundle made by esbuild) with and
// without decoys compiles the same program to the same output, exports the same API, and the
// decoys outlive esbuild re-minifying the shipped file.

type Ts = typeof import('typescript');
let plainCode = '';
let planted: PlantResult;
let plain: Ts;
let decoyed: Ts;

beforeAll(async () => {
  const dir = tempDir();
  const result = await esbuild.build({
    stdin: { contents: "module.exports = require('typescript');", resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  plainCode = result.outputFiles[0].text;
  planted = await plantDecoys([{ fileName: 'typescript.js', code: plainCode }], {
    key: TEST_KEY,
    channel: 'npm',
    release: '5.9.0',
    manifestDir: join(dir, 'manifests'),
    onWarning: () => {},
  });
  writeFileSync(join(dir, 'plain.cjs'), plainCode);
  writeFileSync(join(dir, 'decoyed.cjs'), planted.chunks[0].code);
  const require = createRequire(join(dir, 'x.cjs'));
  plain = require('./plain.cjs') as Ts;
  decoyed = require('./decoyed.cjs') as Ts;
}, 120_000);

const PROGRAM = `
enum Mode { Fast = 'fast', Thorough = 'thorough' }
export abstract class Tool<T extends object> { abstract run(input: T): Promise<string>; }
export function pick<K extends string>(mode: Mode | K, xs: readonly number[] = []): number {
  switch (mode) { case Mode.Fast: return xs[0] ?? 0; default: return xs.reduce((a, b) => a + b, 0); }
}
const x: number = 'not a number';
`;

function compile(ts: Ts) {
  const transpiled = ts.transpileModule(PROGRAM, { compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.CommonJS } }).outputText;
  const host = ts.createCompilerHost({ noEmit: true, strict: true, noLib: true });
  const original = host.getSourceFile;
  host.getSourceFile = (name, lang) => (name === 'main.ts' ? ts.createSourceFile(name, PROGRAM, lang) : original.call(host, name, lang));
  const program = ts.createProgram(['main.ts'], { noEmit: true, strict: true, noLib: true, types: [] }, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => `${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  return { transpiled, diagnostics };
}

describe('a real 3 MB bundle', () => {
  it('carries the decoys', () => {
    expect(planted.planted).toBeGreaterThanOrEqual(16);
    for (const name of planted.decoyNames) expect(planted.chunks[0].code).toContain(name);
  });

  it('behaves identically with and without them', () => {
    expect(Object.keys(decoyed).sort()).toEqual(Object.keys(plain).sort());
    expect(decoyed.version).toBe(plain.version);
    const a = compile(plain);
    const b = compile(decoyed);
    expect(a.diagnostics.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('keeps them through esbuild --minify --tree-shaking=true', async () => {
    const again = await reminifyEsbuild(planted.chunks[0].code, 'typescript.js');
    for (const name of planted.decoyNames) expect(again).toContain(name);
  });
});
