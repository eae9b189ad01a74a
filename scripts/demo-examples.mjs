// One example, the way its user runs it: copy its sources to a scratch folder (so the demo
// never touches examples/ while the test suite builds them there), `npm run build` with the
// demo key in PILLBOX_KEY, `npm pack`, and `pillbox scan` of the tarball. What was stripped
// comes from the plugin's own log line; what was planted, from the sealed manifest.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Heaviest build first, so that two at a time finish close together. */
export const EXAMPLES = [
  { name: 'webpack-app', builtWith: 'webpack 5' },
  { name: 'rollup-lib', builtWith: 'rollup 4 + terser' },
  // Built twice, as two consecutive releases, so that `detect` has to tell them apart.
  { name: 'bun-style-harden', builtWith: 'esbuild CLI, pillbox harden', previousRelease: true },
  { name: 'vite-app', builtWith: 'Vite 8' },
  { name: 'esbuild-cli', builtWith: 'esbuild JS API' },
];

/** Run a command, capturing its output; never throws on a non-zero exit. */
export function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: stderr + String(err) }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.pillbox']);

/**
 * Copy an example's own files into `into` and link `pillbox` as examples/link-pillbox.mjs does
 * (node_modules/pillbox -> the repository). Bundlers resolve from `<work>/node_modules`, a link
 * to the repository's, one level up, as they do inside examples/.
 */
function copyExample(repo, name, into) {
  const from = join(repo, 'examples', name);
  cpSync(from, into, {
    recursive: true,
    filter: (path) => !relative(from, path).split(sep).some((part) => SKIPPED_DIRS.has(part)) && !path.endsWith('.tgz'),
  });
  mkdirSync(join(into, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(repo, join(into, 'node_modules', 'pillbox'));
  symlinkSync(join(repo, 'bin', 'pillbox.js'), join(into, 'node_modules', '.bin', 'pillbox'));
}

export function linkWorkModules(repo, work) {
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
}

const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** The plugin's (or `pillbox harden`'s) one-line summary: "pillbox strip: 3 maps removed, 3 comments removed; 17 decoys planted". */
export function parseSummary(log) {
  const m = /pillbox (strip|hidden|nosources|poison|keep): ([^;\n]*?)(?:; (\d+) decoys planted)?(?: in \S+)?\s*$/m.exec(stripAnsi(log));
  if (!m) return undefined;
  const count = (re) => Number(re.exec(m[2])?.[1] ?? 0);
  return {
    mode: m[1],
    mapsNotBuilt: /maps not built/.test(m[2]),
    mapsRemoved: count(/(\d+) maps? removed/),
    mapsHidden: count(/(\d+) moved to the hidden dir/),
    mapsRewritten: count(/(\d+) rewritten/),
    commentsRemoved: count(/(\d+) comments? removed/),
    decoysPlanted: m[3] === undefined ? 0 : Number(m[3]),
  };
}

/** Placed decoys by tier and file, read from the sealed manifest with the demo key. */
function readPlanted(api, keyBuffer, manifestFile) {
  const manifest = api.openManifest(keyBuffer, JSON.parse(readFileSync(manifestFile, 'utf8')), manifestFile);
  const byId = new Map(manifest.decoys.map((d) => [d.id, d]));
  const placed = [...new Set(manifest.placements.map((p) => p.decoyId))].map((id) => byId.get(id)).filter(Boolean);
  const byTier = { product: 0, channel: 0, release: 0 };
  for (const d of placed) byTier[d.tier]++;
  return {
    channel: manifest.channel,
    release: manifest.release,
    planted: placed.length,
    byTier,
    files: new Set(manifest.placements.map((p) => p.file)).size,
    controls: manifest.decoys.filter((d) => d.control).length,
    sampleTool: placed.find((d) => d.kind === 'tool')?.name,
    sampleFlag: placed.find((d) => d.kind === 'flag')?.name,
  };
}

function findManifest(manifestDir, version) {
  if (!existsSync(manifestDir)) return undefined;
  for (const channel of readdirSync(manifestDir)) {
    const file = join(manifestDir, channel, `${version}.json`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function countFiles(dir, suffix) {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(suffix)).length;
}

/** "2.1.88" -> "2.1.87"; undefined when there is no earlier patch release. */
function previousPatch(version) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m && Number(m[3]) > 0 ? `${m[1]}.${m[2]}.${Number(m[3]) - 1}` : undefined;
}

/**
 * Build, pack and scan one example. Resolves to a result object; `error` is set (with the
 * failing step's output, redacted) when a step fails, `skipped` when the example is absent.
 */
export async function runExample(example, ctx) {
  const { repo, work, env, api, keyBuffer, redact } = ctx;
  const started = Date.now();
  const result = { ...example, dir: join(work, example.name) };
  if (!existsSync(join(repo, 'examples', example.name, 'package.json'))) {
    return { ...result, skipped: `examples/${example.name} is not in this checkout` };
  }
  // The end of the failing step's log, without stack frames: enough to see what went wrong.
  const tail = (out) => redact(out.stdout + '\n' + out.stderr).split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).slice(-10).join('\n');
  const fail = (step, out) => ({ ...result, error: `${step} failed (exit ${out.code})\n${tail(out)}` });
  copyExample(repo, example.name, result.dir);
  const pkgFile = join(result.dir, 'package.json');
  const pkgText = readFileSync(pkgFile, 'utf8');
  const version = JSON.parse(pkgText).version;
  const opts = { cwd: result.dir, env };

  if (example.previousRelease && previousPatch(version)) {
    // The release before this one, built from the same sources into the same manifest folder.
    result.previous = previousPatch(version);
    writeFileSync(pkgFile, JSON.stringify({ ...JSON.parse(pkgText), version: result.previous }, null, 2) + '\n');
    const prev = await run('npm', ['run', 'build'], opts);
    writeFileSync(pkgFile, pkgText);
    if (prev.code !== 0) return fail(`npm run build (${result.previous})`, prev);
  }

  const build = await run('npm', ['run', 'build'], opts);
  if (build.code !== 0) return fail('npm run build', build);
  result.summary = parseSummary(build.stdout + '\n' + build.stderr);
  if (!result.summary) return { ...result, error: 'the build log has no pillbox summary line' };
  result.manifestDir = join(result.dir, '.pillbox', 'manifests');
  const manifestFile = findManifest(result.manifestDir, version);
  if (!manifestFile) return { ...result, error: `no manifest for release ${version} in .pillbox/manifests` };
  result.manifestFile = manifestFile;
  result.decoys = readPlanted(api, keyBuffer, manifestFile);
  result.hiddenMaps = countFiles(join(result.dir, '.pillbox', 'maps'), '.map');

  const packDir = join(work, 'packs', example.name);
  mkdirSync(packDir, { recursive: true });
  const pack = await run('npm', ['pack', '--json', '--offline', '--loglevel=error', '--pack-destination', packDir], opts);
  if (pack.code !== 0) return fail('npm pack', pack);
  const [packed] = JSON.parse(pack.stdout);
  result.pack = { file: join(packDir, packed.filename), filename: packed.filename, files: packed.entryCount, size: packed.size };

  const scan = await run(process.execPath, [join(repo, 'bin', 'pillbox.js'), 'scan', packed.filename, '--format', 'json'], { cwd: packDir, env });
  let report;
  try {
    report = JSON.parse(scan.stdout);
  } catch {
    return fail('pillbox scan', scan);
  }
  result.scan = { exit: scan.code, findings: report.findings, errors: report.errors };
  result.ms = Date.now() - started;
  return result;
}
