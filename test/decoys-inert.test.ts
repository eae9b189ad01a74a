import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { plantDecoys } from '../src/decoys/index.js';
import { buildWithEsbuild, buildWithRollup, runBuild, tempDir, TEST_KEY, type Behaviour, type Build, type Format } from './decoys-helpers.js';

// Inert: real apps built by esbuild and rollup (ESM with code splitting, CommonJS, IIFE, and
// UMD from rollup;
// minified and not), run with and without decoys. Same results, no thrown errors, no new
// globals, same exports, and no decoy reachable through the app's own tool registry or its
// dispatcher.

const FORMATS: Array<Exclude<Format, 'umd'>> = ['esm', 'cjs', 'iife'];

interface Pair {
  plain: Build;
  decoyed: Build;
  names: string[];
  planted: number;
}

const pairs = new Map<string, Pair>();

async function withDecoys(build: Build): Promise<Pair> {
  const manifestDir = join(tempDir(), 'manifests');
  const result = await plantDecoys(build.files, { key: TEST_KEY, channel: 'inert', release: build.name, manifestDir, onWarning: () => {} });
  return {
    plain: build,
    decoyed: { ...build, files: result.chunks.map((c) => ({ fileName: c.fileName, code: c.code })) },
    names: result.decoyNames,
    planted: result.planted,
  };
}

beforeAll(async () => {
  for (const format of FORMATS) {
    for (const minified of [false, true]) {
      for (const build of [await buildWithEsbuild(format, minified), await buildWithRollup(format, minified)]) {
        pairs.set(build.name, await withDecoys(build));
      }
    }
  }
  for (const minified of [false, true]) {
    const build = await buildWithRollup('umd', minified);
    pairs.set(build.name, await withDecoys(build));
  }
});

const names = [...FORMATS.flatMap((f) => ['esbuild', 'rollup'].flatMap((b) => [`${b}-${f}`, `${b}-${f}-min`])), 'rollup-umd', 'rollup-umd-min'];

describe.each(names)('%s', (name) => {
  let plain: Behaviour;
  let decoyed: Behaviour;
  let pair: Pair;

  beforeAll(async () => {
    pair = pairs.get(name)!;
    plain = await runBuild(pair.plain);
    decoyed = await runBuild(pair.decoyed);
  });

  it('ships decoys in every chunk', () => {
    expect(pair.planted).toBeGreaterThanOrEqual(16);
    for (const file of pair.decoyed.files) {
      const original = pair.plain.files.find((f) => f.fileName === file.fileName)!;
      expect(file.code.length, file.fileName).toBeGreaterThan(original.code.length);
      expect(pair.names.some((n) => file.code.includes(n)), file.fileName).toBe(true);
    }
  });

  it('behaves identically: same results, same exports, no new globals', () => {
    expect(decoyed.result).toEqual(plain.result);
    expect(decoyed.exports).toEqual(plain.exports);
    expect(decoyed.newGlobals).toEqual(plain.newGlobals);
    expect(decoyed.other).toEqual(plain.other);
  });

  it('no decoy is reachable through the app registry or its dispatcher', () => {
    expect(decoyed.tools).toEqual(plain.tools);
    for (const decoy of pair.names) {
      expect(decoyed.tools).not.toContain(decoy);
      // The dispatcher answers a decoy name exactly as it answers any unknown name without decoys.
      expect(decoyed.dispatch(decoy)).toEqual(plain.dispatch(decoy));
    }
  });
});

describe('the check above can fail', () => {
  it('a build whose decoy were reachable would differ', async () => {
    // Sanity: a deliberately live "decoy" case is caught by the same comparison.
    const pair = pairs.get('esbuild-cjs')!;
    const file = pair.plain.files[0];
    const live = file.code.replace('case "read_file":', 'case "stale_ledger_batch_marker": return { ok: true, live: 1 };\n    case "read_file":');
    expect(live).not.toBe(file.code);
    const broken = await runBuild({ ...pair.plain, files: [{ fileName: file.fileName, code: live }] });
    const plain = await runBuild(pair.plain);
    expect(broken.dispatch('stale_ledger_batch_marker')).not.toEqual(plain.dispatch('stale_ledger_batch_marker'));
  });
});
