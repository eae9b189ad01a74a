// One production build of the large app in a fresh process, as a user's build script runs it:
//   node bench/plugins-child.mjs <esbuild|rollup> <variant> <appEntry> <workDir> <pluginDir>
// variant: plain    the bundler alone (minified, external source maps written)
//          pillbox  + pillbox: strip (default in production) + decoys + failOnLeak (default)
//          strip    + pillbox without decoys
//          built    (esbuild) as pillbox, plus a plugin after it that turns esbuild's `sourcemap`
//                   back on: the maps are built, then stripped (pillbox alone has none built)
//          sentry   + the Sentry bundler plugin deleting the maps (no auth token: no upload)
//          plant    plain, then the decoy engine's style analysis + placement timed alone; the
//                   session is made before the build, as a plugin's setup makes it (for esbuild
//                   the engine then warms up while esbuild builds, as in the plugin)
// Prints one JSON line: { ms, cpu, outBytes, maps, ...extra }. `ms` runs from before the
// plugin is imported to after the build wrote its files (plugin loading counts). For pillbox
// and strip, `ownMs`/`ownCpu` are the time spent inside the plugin's hooks plus its import: the
// plugin's cost measured directly, steadier than the difference of two whole builds.

import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { childrenCpuMs } from './proc-cpu.mjs';

const [bundler, variant, entry, work, pluginDir] = process.argv.slice(2);
const KEY = 'pbk1_' + Buffer.alloc(32, 0x5a).toString('base64url');
const outDir = join(work, 'out');
const manifestDir = join(work, 'manifests');
rmSync(outDir, { recursive: true, force: true });

/** CPU ms of this process plus the esbuild service (its child), from /proc. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000 + childrenCpuMs();
}

const pillboxOptions = (decoys) => ({ manifestDir, ...(decoys ? { decoys: { key: KEY, channel: 'bench', release: '1.0.0' } } : {}) });
const sentryOptions = { telemetry: false, silent: true, sourcemaps: { filesToDeleteAfterUpload: [join(outDir, '**/*.map')] } };
const load = async (file) => (await import(pathToFileURL(join(pluginDir, file)).href)).default;
const own = { ms: 0, cpu: 0 };
/** Runs `fn`, adding its wall and CPU time (this thread's process) to `own`. */
async function owned(fn) {
  const c = process.cpuUsage();
  const t = performance.now();
  try {
    return await fn();
  } finally {
    own.ms += performance.now() - t;
    const d = process.cpuUsage(c);
    own.cpu += (d.user + d.system) / 1000;
  }
}
/** The plugin with every hook timed (esbuild: setup and onEnd callbacks; rollup: buildStart, generateBundle). */
function timed(plugin) {
  if (bundler === 'esbuild') {
    return {
      name: plugin.name,
      setup: (build) =>
        owned(() =>
          plugin.setup(
            new Proxy(build, {
              get(target, key) {
                if (key === 'onEnd') return (cb) => target.onEnd((result) => owned(() => cb(result)));
                const value = Reflect.get(target, key);
                return typeof value === 'function' ? value.bind(target) : value;
              },
            }),
          ),
        ),
    };
  }
  const wrap = (hook) => async function (...args) {
    return owned(() => hook.apply(this, args));
  };
  return { ...plugin, buildStart: wrap(plugin.buildStart), generateBundle: { ...plugin.generateBundle, handler: wrap(plugin.generateBundle.handler) } };
}

let plantSession = null;
if (variant === 'plant') {
  const { createHardenSession } = await import(pathToFileURL(join(pluginDir, 'harden.mjs')).href);
  // As the adapter makes it: esbuild's adapter says it builds off Node's thread (the warm-up runs).
  plantSession = createHardenSession(pillboxOptions(true), { production: true, projectRoot: work, outDir, bundler, buildsOffThread: bundler === 'esbuild' });
}

const cpu0 = cpuMs();
const t0 = performance.now();
const plugins = [];
if (variant === 'pillbox' || variant === 'strip' || variant === 'built') {
  const factory = await owned(() => load(`${bundler}.mjs`));
  plugins.push(timed(factory(pillboxOptions(variant !== 'strip'))));
  if (variant === 'built') plugins.push({ name: 'maps-on', setup: (b) => void (b.initialOptions.sourcemap = true) });
}
if (variant === 'sentry') {
  const sentry = bundler === 'esbuild' ? await import('@sentry/esbuild-plugin') : await import('@sentry/rollup-plugin');
  plugins.push((bundler === 'esbuild' ? sentry.sentryEsbuildPlugin : sentry.sentryRollupPlugin)(sentryOptions));
}

let chunks = null;
if (bundler === 'esbuild') {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    sourcemap: true,
    outdir: outDir,
    logLevel: 'silent',
    plugins,
  });
  if (result.errors.length) throw new Error(result.errors.map((e) => e.text).join('\n'));
} else {
  const { rollup } = await import('rollup');
  const esbuild = await import('esbuild');
  // The minifier: esbuild's, in renderChunk (as rollup-plugin-esbuild's `minify` does). terser
  // (BENCH_ROLLUP_MINIFIER=terser) takes ~15x longer here, which would hide the plugins' cost.
  const minifier =
    process.env.BENCH_ROLLUP_MINIFIER === 'terser'
      ? (await import('@rollup/plugin-terser')).default()
      : {
          name: 'esbuild-minify',
          async renderChunk(code) {
            const r = await esbuild.transform(code, { minify: true, sourcemap: true, format: 'esm', loader: 'js' });
            return { code: r.code, map: r.map };
          },
        };
  const bundle = await rollup({ input: entry, logLevel: 'silent', plugins: [minifier, ...plugins] });
  await bundle.write({ dir: outDir, format: 'es', sourcemap: true });
  await bundle.close();
}
const ms = performance.now() - t0;
const cpu = cpuMs() - cpu0;

const files = readdirSync(outDir, { recursive: true }).map(String).filter((f) => statSync(join(outDir, f)).isFile());
const js = files.filter((f) => f.endsWith('.js'));
const extra = {};
if (variant === 'plant') {
  // The decoy engine over the build's own output, in the same fresh process the build ran in.
  const session = plantSession;
  const code = js.map((f) => ({ fileName: f, code: readFileSync(join(outDir, f), 'utf8') }));
  const c = cpuMs();
  const t = performance.now();
  await session.plantDecoys(code);
  extra.plantMs = performance.now() - t;
  extra.plantCpu = cpuMs() - c;
  extra.planted = session.decoys?.planted ?? 0;
}
console.log(
  JSON.stringify({
    ms,
    cpu,
    outBytes: js.reduce((n, f) => n + statSync(join(outDir, f)).size, 0),
    maps: files.filter((f) => f.endsWith('.map')).length,
    ...(variant === 'pillbox' || variant === 'strip' || variant === 'built' ? { ownMs: own.ms, ownCpu: own.cpu } : {}),
    ...extra,
  }),
);
