import { beforeAll, describe, expect, it } from 'vitest';
import { buildDecoySet } from '../src/decoys/index.js';
import { NameIndex } from '../src/decoys/names.js';
import { applyPlacements, GUARD_KINDS, planChunk, type GuardKind, type SiteKind } from '../src/decoys/place.js';
import { KeyedStream } from '../src/decoys/random.js';
import { scanChunk } from '../src/decoys/scan.js';
import { learnStyle } from '../src/decoys/style.js';
import { buildWithEsbuild, buildWithRollup, reminifyEsbuild, reminifyTerser, TEST_KEY, type Build, type Format } from './decoys-helpers.js';

// Durability: every guard form, in every kind of site, in every module format (ESM, CommonJS,
// IIFE, UMD), minified or
// not, must still be in the file after terser (passes 2, unused, toplevel) and after esbuild
// --minify --tree-shaking=true re-minify the shipped code.

const FORMATS: Format[] = ['esm', 'cjs', 'iife', 'umd'];
const SITES: SiteKind[] = ['function-start', 'switch-case'];
const builds = new Map<string, Build>();

beforeAll(async () => {
  for (const format of FORMATS) {
    for (const minified of [false, true]) {
      // esbuild has no UMD output: that one comes from rollup (with @rollup/plugin-terser when minified).
      builds.set(`${format}/${minified}`, format === 'umd' ? await buildWithRollup('umd', minified) : await buildWithEsbuild(format, minified));
    }
  }
});

function plant(code: string, guard: GuardKind, site: SiteKind) {
  const scan = scanChunk(code);
  expect(scan.confused).toBe(false);
  const style = learnStyle([{ code, scan }]);
  const names = new NameIndex();
  for (const n of scan.names) names.add(n);
  const set = buildDecoySet({ key: TEST_KEY, channel: 'durable', release: `${guard}-${site}`, count: 8, style, bundleNames: names });
  const stream = new KeyedStream(TEST_KEY, `test/${guard}/${site}`);
  // The fixture is small, so plain local functions are allowed too: the test then proves those
  // survive here as well.
  const plans = planChunk(code, scan, set.shipped, style, stream, { guards: [guard], sites: [site], allowUnsafe: site === 'switch-case' });
  return { plans, code: applyPlacements(code, plans) };
}

describe.each(FORMATS)('%s output', (format) => {
  for (const minified of [false, true]) {
    for (const site of SITES) {
      it(`${minified ? 'minified' : 'readable'}, ${site}: every guard form survives terser and esbuild`, async () => {
        const build = builds.get(`${format}/${minified}`)!;
        // The chunk with the most code of the kind this site needs.
        const file = build.files
          .slice()
          .sort((a, b) => (site === 'switch-case' ? b.code.split('switch').length - a.code.split('switch').length : 0) || b.code.length - a.code.length)[0];
        if (site === 'switch-case' && scanChunk(file.code).switches.length === 0) {
          // terser turned this build's switches into if-chains: nothing to host a case (checked).
          expect(format === 'umd' && minified).toBe(true);
          expect(file.code).not.toMatch(/switch\(\w+\)\{case"/);
          return;
        }
        for (const guard of GUARD_KINDS) {
          const { plans, code } = plant(file.code, guard, site);
          expect(plans.length, `${guard} placed`).toBeGreaterThan(0);
          expect(plans.every((p) => p.guard === guard && p.site === site)).toBe(true);
          // Both decoy kinds get exercised across the forms.
          const names = plans.map((p) => p.decoy.name);
          const terse = await reminifyTerser(code, format);
          const esb = await reminifyEsbuild(code, file.fileName);
          for (const name of names) {
            expect(code, `${guard}: ${name} planted`).toContain(name);
            expect(terse, `${guard}: ${name} after terser`).toContain(name);
            expect(esb, `${guard}: ${name} after esbuild`).toContain(name);
          }
          // Tool decoys keep their whole definition, not just the name.
          for (const p of plans) {
            if (p.decoy.kind !== 'tool') continue;
            expect(terse).toContain(p.decoy.description);
            expect(esb).toContain(p.decoy.description);
          }
        }
      });
    }
  }
});

describe('control: an unguarded decoy does not survive', () => {
  it('an unused declaration holding a decoy is removed by both minifiers (so the guard is what keeps ours)', async () => {
    const build = builds.get('esm/true')!;
    const code = build.files.find((f) => f.fileName === 'main.js')!.code + '\nconst unusedDecoyHolder = { name: "stale_amber_ledger_batch" };\n';
    expect(await reminifyTerser(code, 'esm')).not.toContain('stale_amber_ledger_batch');
    expect(await reminifyEsbuild(code)).not.toContain('stale_amber_ledger_batch');
  });
});
