import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ForbidRule } from './config-types.js';
import { HOW_TO_MAKE_A_KEY, KeyError, resolveKey } from './key.js';

// The plugin options as pinned in DESIGN.md ("Interfaces" / Plugins), their defaults, and what
// "production" means per bundler. Shared by every adapter and by `pillbox harden`; no bundler
// imports here.

export const SOURCEMAP_MODES = ['strip', 'hidden', 'nosources', 'poison', 'keep'] as const;
export type SourcemapMode = (typeof SOURCEMAP_MODES)[number];

export interface DecoyOptions {
  /** `pbk1_...`, taken by the build script from its secret store. Else PILLBOX_KEY. */
  key?: string;
  /** Default 'default'. */
  channel?: string;
  /** Default: the project's package.json version. */
  release?: string;
  /** Default 16. */
  count?: number;
}

export interface PillboxOptions {
  /** production: 'strip'; otherwise 'keep'. */
  sourcemaps?: SourcemapMode;
  /** 'hidden' moves maps here, mirroring output paths. Default '.pillbox/maps', from the project root. */
  hiddenDir?: string;
  /** Omitted or false: no decoys. `{}`: channel 'default', release = package.json version, count 16. */
  decoys?: false | DecoyOptions;
  /** Default '.pillbox/manifests', from the project root. */
  manifestDir?: string;
  /** Default true in production. */
  failOnLeak?: boolean;
  /** Strings (or RegExps) that must never appear in the output. */
  forbid?: Array<string | RegExp>;
}

/** What an adapter knows about the build it runs in. */
export interface HardenContext {
  production: boolean;
  /** Where relative option paths start, and whose package.json gives the default release. */
  projectRoot: string;
  /** Absolute output directory, when the bundler has one (used to refuse a hiddenDir inside it). */
  outDir?: string;
  /** 'rollup' | 'vite' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack' | 'harden' (for messages). */
  bundler: string;
  /** Defaults to process.env (PILLBOX_KEY). */
  env?: NodeJS.ProcessEnv;
  /** `harden --key-file`. */
  keyFile?: string;
  /**
   * The bundler builds off Node's thread (esbuild's Go service), so the decoy engine can warm up
   * on this thread while it builds (src/decoys/warm-up.ts). The adapter says so.
   */
  buildsOffThread?: boolean;
}

export interface ResolvedDecoys {
  /** The 32 key bytes. Never print it. */
  key: Buffer;
  channel: string;
  release: string;
  count: number;
}

export interface ResolvedOptions {
  production: boolean;
  bundler: string;
  projectRoot: string;
  outDir?: string;
  sourcemaps: SourcemapMode;
  /** Absolute. */
  hiddenDir: string;
  /** null: decoys off (not asked for, or asked for outside production without a key). */
  decoys: ResolvedDecoys | null;
  /** Absolute. */
  manifestDir: string;
  failOnLeak: boolean;
  /** Labelled `forbid[i]` for reports; the strings themselves never reach output. */
  forbid: ForbidRule[];
  /** Non-fatal notes for the adapter to pass on as warnings (never holds a key). */
  warnings: string[];
  /** See HardenContext.buildsOffThread. */
  buildsOffThread: boolean;
}

export class PillboxOptionsError extends Error {
  override name = 'PillboxOptionsError';
}

export const DEFAULT_HIDDEN_DIR = '.pillbox/maps';
export const DEFAULT_MANIFEST_DIR = '.pillbox/manifests';
export const DEFAULT_CHANNEL = 'default';
export const DEFAULT_DECOY_COUNT = 16;
const MAX_DECOY_COUNT = 1000;

// Channel and release name a manifest file (<manifestDir>/<channel>/<release>.json).
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

const KNOWN_KEYS = new Set(['sourcemaps', 'hiddenDir', 'decoys', 'manifestDir', 'failOnLeak', 'forbid']);
const KNOWN_DECOY_KEYS = new Set(['key', 'channel', 'release', 'count']);

/** The source-map mode the options ask for, or the default for a production or development build (not validated). */
export function sourcemapModeOf(options: PillboxOptions | undefined, production: boolean): SourcemapMode {
  return options?.sourcemaps ?? (production ? 'strip' : 'keep');
}

/** Validate, apply defaults, and resolve paths and the key. Throws PillboxOptionsError / KeyError. */
export function resolvePluginOptions(options: PillboxOptions | undefined, ctx: HardenContext): ResolvedOptions {
  const opts = options ?? {};
  const where = `pillbox (${ctx.bundler})`;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new PillboxOptionsError(`${where}: options must be an object`);
  for (const k of Object.keys(opts)) {
    if (!KNOWN_KEYS.has(k)) throw new PillboxOptionsError(`${where}: unknown option "${k}" (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const warnings: string[] = [];

  const sourcemaps = sourcemapModeOf(opts, ctx.production);
  if (!(SOURCEMAP_MODES as readonly string[]).includes(sourcemaps)) {
    throw new PillboxOptionsError(`${where}: sourcemaps must be one of ${SOURCEMAP_MODES.join(', ')}; got ${JSON.stringify(sourcemaps)}`);
  }

  const projectRoot = resolve(ctx.projectRoot);
  const hiddenDir = resolvePathOption(opts.hiddenDir, DEFAULT_HIDDEN_DIR, projectRoot, `${where}: hiddenDir`);
  const manifestDir = resolvePathOption(opts.manifestDir, DEFAULT_MANIFEST_DIR, projectRoot, `${where}: manifestDir`);
  const outDir = ctx.outDir ? resolve(projectRoot, ctx.outDir) : undefined;
  if (outDir) {
    // Anything written inside the output directory ships: that would defeat the mode.
    if (sourcemaps === 'hidden' && isInside(hiddenDir, outDir)) {
      throw new PillboxOptionsError(`${where}: hiddenDir (${hiddenDir}) is inside the output directory (${outDir}); hidden maps would ship. Choose a directory outside it.`);
    }
  }

  if (opts.failOnLeak !== undefined && typeof opts.failOnLeak !== 'boolean') {
    throw new PillboxOptionsError(`${where}: failOnLeak must be a boolean`);
  }
  const failOnLeak = opts.failOnLeak ?? ctx.production;

  const forbid = normaliseForbid(opts.forbid, where);
  const decoys = resolveDecoys(opts.decoys, ctx, projectRoot, where, warnings);
  if (sourcemaps === 'poison' && !decoys) {
    warnings.push("sourcemaps: 'poison' adds decoy sources only when decoys are planted; without decoys it is 'nosources'.");
  }
  if (decoys && outDir && isInside(manifestDir, outDir)) {
    throw new PillboxOptionsError(`${where}: manifestDir (${manifestDir}) is inside the output directory (${outDir}); manifests must never ship.`);
  }

  return { production: ctx.production, bundler: ctx.bundler, projectRoot, outDir, sourcemaps, hiddenDir, decoys, manifestDir, failOnLeak, forbid, warnings, buildsOffThread: ctx.buildsOffThread === true };
}

function resolvePathOption(value: unknown, fallback: string, root: string, what: string): string {
  if (value === undefined) return join(root, fallback);
  if (typeof value !== 'string' || value === '') throw new PillboxOptionsError(`${what} must be a non-empty string`);
  return resolve(root, value);
}

function normaliseForbid(value: unknown, where: string): ForbidRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PillboxOptionsError(`${where}: forbid must be an array of strings or RegExps`);
  return value.map((pattern, i) => {
    const label = `forbid[${i}]`;
    if (typeof pattern === 'string') {
      if (pattern === '') throw new PillboxOptionsError(`${where}: ${label} is an empty string`);
      return { label, pattern };
    }
    if (pattern instanceof RegExp) return { label, pattern };
    // Never echo the value: it may be the very string that must not appear anywhere.
    throw new PillboxOptionsError(`${where}: ${label} must be a string or a RegExp`);
  });
}

function resolveDecoys(
  value: PillboxOptions['decoys'],
  ctx: HardenContext,
  projectRoot: string,
  where: string,
  warnings: string[],
): ResolvedDecoys | null {
  if (value === undefined || value === false) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PillboxOptionsError(`${where}: decoys must be false or an object ({} for the defaults)`);
  }
  for (const k of Object.keys(value)) {
    if (!KNOWN_DECOY_KEYS.has(k)) throw new PillboxOptionsError(`${where}: unknown option "decoys.${k}" (known: ${[...KNOWN_DECOY_KEYS].join(', ')})`);
  }
  if (value.key !== undefined && typeof value.key !== 'string') throw new PillboxOptionsError(`${where}: decoys.key must be a string`);
  const key = resolveKey({ key: value.key, keyFile: ctx.keyFile, env: ctx.env ?? process.env });
  if (!key) {
    if (ctx.production) {
      throw new KeyError(`${where}: decoys are on but no key was given (decoys.key or PILLBOX_KEY). ${HOW_TO_MAKE_A_KEY}`);
    }
    warnings.push(`decoys are on but no key was given; none planted in this non-production build. ${HOW_TO_MAKE_A_KEY}`);
    return null;
  }

  const channel = value.channel ?? DEFAULT_CHANNEL;
  checkName(channel, `${where}: decoys.channel`);
  const release = value.release ?? readPackageVersion(projectRoot, where);
  checkName(release, `${where}: decoys.release`);
  const count = value.count ?? DEFAULT_DECOY_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_DECOY_COUNT) {
    throw new PillboxOptionsError(`${where}: decoys.count must be an integer from 1 to ${MAX_DECOY_COUNT}`);
  }
  return { key, channel, release, count };
}

function checkName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !SAFE_NAME.test(value) || value.length > 128) {
    throw new PillboxOptionsError(`${what} must be a short name of letters, digits, '.', '_', '+' or '-' (it names a manifest file); got ${JSON.stringify(value)}`);
  }
}

function readPackageVersion(projectRoot: string, where: string): string {
  const file = join(projectRoot, 'package.json');
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
  } catch {
    throw new PillboxOptionsError(`${where}: decoys.release is not set and ${file} could not be read; pass decoys: { release: '1.2.3' }`);
  }
  if (typeof version !== 'string' || version === '') {
    throw new PillboxOptionsError(`${where}: decoys.release is not set and ${file} has no version; pass decoys: { release: '1.2.3' }`);
  }
  return version;
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

// "Production" per bundler, as pinned.

/** rollup and Rolldown: not in watch mode (`this.meta.watchMode`). */
export function rollupIsProduction(meta: { watchMode?: boolean }): boolean {
  return !meta.watchMode;
}

/** Vite: `vite build` (the adapter applies only to build anyway). */
export function viteIsProduction(command: 'build' | 'serve'): boolean {
  return command === 'build';
}

/** esbuild: `minify`, or NODE_ENV=production. */
export function esbuildIsProduction(initialOptions: { minify?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return initialOptions.minify === true || env.NODE_ENV === 'production';
}

/** webpack and rspack: `mode: 'production'`. Both treat an unset mode as production. */
export function webpackIsProduction(mode: string | undefined): boolean {
  return mode === 'production' || mode === undefined;
}
