import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Which package manager publishes this package, and where in its lifecycle the gate must sit.
//
// Verified on npm 11, pnpm 12, Yarn 4 and 1, Bun 1.4 (see README "Release gate"):
// - npm, pnpm, Bun and Yarn 1 run `prepublishOnly` BEFORE `prepack`, then pack, then `postpack`,
//   and only then upload; a failing `postpack` stops the publish. So the gate is `postpack`: it
//   sees the tree exactly as packed, files written by `prepack`/`prepare` included.
// - Yarn Berry (2+) runs `prepublish` before `prepack`, and runs `postpack` only AFTER the
//   upload (in a `finally`), so a failing `postpack` cannot stop it. Its only hook between the
//   build and the upload is `prepack` itself: the gate runs at the end of `prepack`.

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'yarn-classic' | 'bun';

export const MANAGER_LABEL: Record<PackageManager, string> = {
  npm: 'npm',
  pnpm: 'pnpm',
  yarn: 'Yarn (Berry)',
  'yarn-classic': 'Yarn 1',
  bun: 'Bun',
};

/** The lifecycle script that gates a publish, per manager. */
export function gateScript(manager: PackageManager): 'postpack' | 'prepack' {
  return manager === 'yarn' ? 'prepack' : 'postpack';
}

/** The command that publishes, for messages and docs. */
export const PUBLISH_COMMAND: Record<PackageManager, string> = {
  npm: 'npm publish',
  pnpm: 'pnpm publish',
  yarn: 'yarn npm publish',
  'yarn-classic': 'yarn publish',
  bun: 'bun publish',
};

/**
 * The manager running us, from the user agent every manager sets for scripts and exec
 * (`npm/11.1.0 node/v20...`, `pnpm/9.0.0 npm/? ...`, `yarn/4.1.0 ...`, `bun/1.2.0 ...`).
 */
export function managerFromUserAgent(userAgent: string | undefined): PackageManager | undefined {
  const m = /^(npm|pnpm|yarn|bun)\/(\d+)/.exec(userAgent ?? '');
  if (!m) return undefined;
  if (m[1] === 'yarn') return Number(m[2]) < 2 ? 'yarn-classic' : 'yarn';
  return m[1] as PackageManager;
}

export interface Detected {
  manager: PackageManager;
  /** Why, for messages: `packageManager field in package.json`, `found pnpm-lock.yaml`... */
  evidence: string;
}

/**
 * The project's manager: the `packageManager` field, then lockfiles (in the package folder or
 * a workspace root above it), then whoever runs us, then npm.
 */
export function detectProjectManager(dir: string, userAgent?: string): Detected {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const field = packageManagerField(d);
    if (field) return { manager: field, evidence: `packageManager field in ${relativeHint(dir, d)}package.json` };
    const lock = lockfileManager(d);
    if (lock) return { manager: lock.manager, evidence: `found ${relativeHint(dir, d)}${lock.file}` };
    if (dirname(d) === d || existsSync(join(d, '.git'))) break;
  }
  const fromAgent = managerFromUserAgent(userAgent);
  if (fromAgent) return { manager: fromAgent, evidence: 'the package manager running pillbox' };
  return { manager: 'npm', evidence: 'no lockfile or packageManager field: the default' };
}

function relativeHint(from: string, to: string): string {
  return resolve(from) === resolve(to) ? '' : `${to}/`;
}

function packageManagerField(dir: string): PackageManager | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(readFileSync(file, 'utf8')) as { packageManager?: unknown }).packageManager;
  } catch {
    return undefined;
  }
  const m = typeof value === 'string' ? /^(npm|pnpm|yarn|bun)@(\d+)/.exec(value) : null;
  if (!m) return undefined;
  if (m[1] === 'yarn') return Number(m[2]) < 2 ? 'yarn-classic' : 'yarn';
  return m[1] as PackageManager;
}

function lockfileManager(dir: string): { manager: PackageManager; file: string } | undefined {
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return { manager: 'pnpm', file: 'pnpm-lock.yaml' };
  for (const file of ['bun.lock', 'bun.lockb']) if (existsSync(join(dir, file))) return { manager: 'bun', file };
  if (existsSync(join(dir, 'yarn.lock'))) return { manager: isBerry(dir) ? 'yarn' : 'yarn-classic', file: 'yarn.lock' };
  for (const file of ['package-lock.json', 'npm-shrinkwrap.json']) if (existsSync(join(dir, file))) return { manager: 'npm', file };
  return undefined;
}

/** Berry writes `.yarnrc.yml` and a `__metadata` block in its lockfile; Yarn 1 does neither. */
function isBerry(dir: string): boolean {
  if (existsSync(join(dir, '.yarnrc.yml'))) return true;
  try {
    return /^__metadata:/m.test(readFileSync(join(dir, 'yarn.lock'), 'utf8').slice(0, 4096));
  } catch {
    return false;
  }
}

/**
 * How to start a manager's CLI: the very binary that runs us when we run inside its script
 * (`npm_execpath`), else the command on PATH.
 */
export function managerCommand(manager: PackageManager, env: NodeJS.ProcessEnv): { command: string; prefix: string[] } {
  const execPath = env.npm_execpath;
  const running = managerFromUserAgent(env.npm_config_user_agent);
  if (execPath && running === manager && existsSync(execPath)) {
    if (/\.[cm]?js$/.test(execPath)) return { command: process.execPath, prefix: [execPath] };
    return { command: execPath, prefix: [] };
  }
  const name = manager === 'yarn-classic' ? 'yarn' : manager;
  return { command: name, prefix: [] };
}
