import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { main } from '../src/cli/main.js';

// Shared by the release-gate tests (gate, init, audit, e2e, sarif-schema): temp packages, the
// CLI in process, real package-manager runs, and this very pillbox packed for a temp package.

export const REPO = join(__dirname, '..');
export const BIN = join(REPO, 'node_modules', '.bin');

const made: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pillbox-${prefix}-`));
  made.push(dir);
  return dir;
}
export function cleanupTemp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes files (objects as JSON) under `root`. */
export function write(root: string, files: Record<string, string | Buffer | object>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2) + '\n');
  }
  return root;
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Every file under `root` with its content, for "nothing changed" checks. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules') continue;
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out[relative(root, abs)] = readFileSync(abs, 'utf8');
    }
  };
  walk(root);
  return out;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pillbox <args>` in process. The env replaces nothing the children need (PATH survives). */
export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, isTTY = false): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, env, isTTY, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** A child environment without the npm-script variables of the test runner itself. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|PILLBOX_)/i.test(k)) env[k] = v;
  // No update checks, audits or telemetry: nothing in these tests may reach the network.
  const quiet = { YARN_ENABLE_TELEMETRY: '0', npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', NO_UPDATE_NOTIFIER: '1' };
  return { ...env, ...quiet, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion without blocking the event loop (concurrent tests). */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a command to completion (the real package managers). */
export function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): CliRun {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A registry address nothing listens on: publish --dry-run never reaches the network. */
export const NO_REGISTRY = 'http://127.0.0.1:9/';

/**
 * This pillbox, packed from the built dist/ under the build lock (another build may be
 * rewriting dist/ right now) into a temp folder. `npm test` builds first.
 */
export function packThisPillbox(): string {
  const dest = tempDir('self');
  const args = ['pack', '--ignore-scripts', '--pack-destination', dest, '--json'];
  let r = spawnSync('flock', ['/tmp/pillbox-build.lock', 'npm', ...args], { cwd: REPO, env: cleanEnv(), encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') r = spawnSync('npm', args, { cwd: REPO, env: cleanEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack of pillbox failed: ${r.stderr}`);
  const file = (JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  if (!file.files.some((f) => f.path === 'dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` first');
  return join(dest, file.filename);
}

/**
 * Installs the packed pillbox into `dir` as npm would lay it out (node_modules/pillbox from the
 * tarball, node_modules/.bin/pillbox, a devDependency), with its runtime dependencies linked
 * from this repository's node_modules. `npm install --offline` would need the dependencies'
 * packuments in the npm cache, which `npm ci` on a fresh machine does not put there.
 */
export function installPillbox(dir: string, tarball: string): void {
  const target = join(dir, 'node_modules', 'pillbox');
  mkdirSync(target, { recursive: true });
  const untar = sh('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], dir);
  if (untar.code !== 0) throw new Error(`cannot unpack ${tarball}: ${untar.stderr}`);
  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    const link = join(dir, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join(REPO, 'node_modules', dep), link, 'dir');
  }
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(join('..', 'pillbox', 'bin', 'pillbox.js'), join(dir, 'node_modules', '.bin', 'pillbox'));
  chmodSync(join(target, 'bin', 'pillbox.js'), 0o755);
  const pkgFile = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { devDependencies?: Record<string, string> };
  pkg.devDependencies = { ...pkg.devDependencies, pillbox: `^${manifest.version}` };
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
}

/**
 * A folder with this pillbox installed, shared by the test files of one build: keyed by the
 * packed tarball's bytes (npm pack is reproducible), made once, reused while dist/ is the same.
 */
export function sharedPillboxTool(): string {
  const tarball = packThisPillbox();
  // Keyed by this checkout too: its node_modules hold the linked dependencies.
  const key = createHash('sha256').update(REPO).update(readFileSync(tarball)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `pillbox-test-tool-${key}`);
  if (existsSync(join(dir, 'node_modules', '.bin', 'pillbox'))) return dir;
  const staging = mkdtempSync(`${dir}-staging-`);
  write(staging, { 'package.json': { name: 'pillbox-test-tool', version: '0.0.0', private: true } });
  installPillbox(staging, tarball);
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file made it first.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}
