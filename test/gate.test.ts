import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { BIN, cleanEnv, cleanupTemp, NO_REGISTRY, read, REPO, run, sharedPillboxTool, tempDir, write } from './gate-helpers.js';

// The release gate in each package manager's real publish lifecycle (dry runs, no network):
// a package whose `prepack` BUILDS a source map with esbuild must be stopped, and the same
// package built without the map must publish. npm runs prepublishOnly before prepack, so a
// scan there sees the tree before the build; the gate sits where each manager packs.

// Real package managers on a busy 2-core machine: generous limits (timings are never asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

afterAll(cleanupTemp);

let pillbox: string;
beforeAll(() => {
  pillbox = join(sharedPillboxTool(), 'node_modules', '.bin', 'pillbox');
});

const ESBUILD = pathToFileURL(join(REPO, 'node_modules', 'esbuild', 'lib', 'main.js')).href;

/** A package whose build (run by prepack) writes dist/, with a map unless NO_MAPS=1. */
function probePackage(scripts: Record<string, string>, extra: Record<string, string | object> = {}): string {
  return write(tempDir('gate-pkg'), {
    'package.json': { name: 'gate-probe', version: '1.0.0', license: 'MIT', files: ['dist'], scripts },
    'src/index.ts': 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n',
    'build.mjs': [
      `import { buildSync } from ${JSON.stringify(ESBUILD)};`,
      "import { rmSync } from 'node:fs';",
      "rmSync('dist', { recursive: true, force: true });",
      "buildSync({ entryPoints: ['src/index.ts'], outfile: 'dist/index.js', bundle: true, format: 'esm', minify: true,",
      "  sourcemap: process.env.NO_MAPS === '1' ? false : 'external' });",
    ].join('\n'),
    ...extra,
  });
}

const noMaps = (env: NodeJS.ProcessEnv) => ({ ...env, NO_MAPS: '1' });

describe('the gate stops a publish whose prepack builds a map', () => {
  it.concurrent('npm: postpack fails `npm publish`; a prepublishOnly scan saw nothing', async () => {
    const dir = probePackage({
      prepublishOnly: `${pillbox} scan --format json --output prepublish-report.json`,
      prepack: 'node build.mjs',
      postpack: `${pillbox} scan`,
    });
    const env = cleanEnv();
    const args = ['publish', '--dry-run', '--fetch-retries=0', `--registry=${NO_REGISTRY}`];
    const blocked = await run('npm', args, dir, env);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout).toMatch(/source-map-with-content +dist\/index\.js\.map/);
    expect(blocked.stderr).toMatch(/npm error command sh -c .*pillbox scan/);
    expect(blocked.stderr).not.toMatch(/\+ gate-probe@1\.0\.0/);
    // Why not prepublishOnly: npm ran it before prepack built dist/, so it found nothing.
    const early = JSON.parse(read(dir, 'prepublish-report.json')) as { findings: unknown[]; targets: Array<{ files: number }> };
    expect(early.findings).toEqual([]);
    expect(early.targets[0].files).toBe(1);

    // A fresh checkout has no dist/ (the prepublishOnly scan would see the last build's map).
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    const passed = await run('npm', args, dir, noMaps(env));
    expect(passed.stderr + passed.stdout).toContain('+ gate-probe@1.0.0');
    expect(passed.code).toBe(0);
  });

  it.concurrent('pnpm: postpack fails `pnpm publish`; the tarball pnpm packs is what is scanned', async () => {
    const dir = probePackage({ prepack: 'node build.mjs', postpack: `${pillbox} scan` });
    const args = ['publish', '--dry-run', '--no-git-checks', '--registry', NO_REGISTRY];
    const blocked = await run(join(BIN, 'pnpm'), args, dir);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/packed by pnpm into gate-probe-1\.0\.0\.tgz/);
    expect(blocked.stdout + blocked.stderr).toMatch(/source-map-with-content +gate-probe-1\.0\.0\.tgz!package\/dist\/index\.js\.map/);
    const passed = await run(join(BIN, 'pnpm'), args, dir, noMaps(cleanEnv()));
    expect(passed.stdout + passed.stderr).toMatch(/PASS/);
    expect(passed.code).toBe(0);
  });

  it.concurrent('Bun: postpack fails `bun publish`', async () => {
    // bun publish wants credentials even for a dry run.
    const dir = probePackage({ prepack: 'node build.mjs', postpack: `${pillbox} scan` }, { '.npmrc': `registry=${NO_REGISTRY}\n//127.0.0.1:9/:_authToken=dry-run\n` });
    const blocked = await run(join(BIN, 'bun'), ['publish', '--dry-run'], dir);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/source-map-with-content +gate-probe-1\.0\.0\.tgz!package\/dist\/index\.js\.map/);
    expect(blocked.stdout + blocked.stderr).toMatch(/script "postpack" exited with code 1/);
    const passed = await run(join(BIN, 'bun'), ['publish', '--dry-run'], dir, noMaps(cleanEnv()));
    expect(passed.stdout + passed.stderr).toContain('gate-probe@1.0.0 (dry-run)');
    expect(passed.code).toBe(0);
  });

  it.concurrent('Yarn Berry: the gate ends prepack (its postpack runs only after the upload)', async () => {
    const dir = probePackage(
      { prepack: `node build.mjs && ${pillbox} scan`, postpack: 'node -e "process.exit(1)"' },
      { '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n', 'yarn.lock': '' },
    );
    // On CI (CI=true) Yarn forbids an install that writes the lockfile; this temp package's
    // lockfile starts empty, so the install must be allowed to fill it.
    const env = cleanEnv({
      YARN_NPM_REGISTRY_SERVER: NO_REGISTRY.replace(/\/$/, ''),
      YARN_ENABLE_GLOBAL_CACHE: 'false',
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    });
    const yarn = join(BIN, 'yarn');
    expect((await run(yarn, ['install'], dir, env)).code).toBe(0);
    const blocked = await run(yarn, ['npm', 'publish', '--dry-run'], dir, env);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout).toMatch(/Prepack script failed/i);
    expect(blocked.stdout).not.toContain('Package archive not published');

    // Without a map, prepack passes; and the dry run shows why postpack could not gate: Yarn
    // reports the upload step before it runs postpack (which fails here on purpose).
    const passed = await run(yarn, ['npm', 'publish', '--dry-run'], dir, noMaps(env));
    const order = passed.stdout.indexOf('Package archive not published (dry run)');
    expect(order).toBeGreaterThan(0);
    expect(passed.stdout.indexOf('Calling the "postpack" lifecycle script')).toBeGreaterThan(order);
  });
});
