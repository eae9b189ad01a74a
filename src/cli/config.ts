import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import picomatch from 'picomatch';
import { FINDING_CODES } from '../core/codes.js';
import type { AllowRule, ForbidRule, ResolvedConfig } from '../core/config-types.js';
import { isFailOn, SEVERITIES } from '../core/findings.js';

// Loads and strictly validates pillbox's configuration. Every problem is a ConfigError that
// names the file and the key; no message ever echoes a `forbid` value (it is the secret the
// config protects) or anything that looks like a decoy key.

export const CONFIG_FILES = ['pillbox.config.json', 'pillbox.config.mjs', 'pillbox.config.js'] as const;
const PACKAGE_JSON_SOURCE = 'package.json#pillbox';
/** Every key a config may hold (package.json#pillbox: all but forbid). */
export const CONFIG_KEYS = ['failOn', 'allow', 'forbid', 'baseline'] as const;
const ALLOW_KEYS = ['path', 'code', 'reason'];
const KEY_LIKE_KEYS = ['key', 'decoyKey', 'keyFile', 'decoys'];
const REGEX_STRING = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_REGEX_FLAGS = new Set(['i', 'm', 's', 'u', 'v', 'g']);

export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The pinned error code: a bad config exits 2. */
  readonly code = 'bad-config';
}

export interface LoadConfigOptions {
  /** Where to look for pillbox.config.* and package.json; relative paths resolve from here. */
  cwd: string;
  /** `--config FILE`: use this file and nothing else. */
  configPath?: string;
}

export async function loadConfig({ cwd, configPath }: LoadConfigOptions): Promise<ResolvedConfig> {
  // Checked even when a config file replaces it: package.json ships, so forbid there leaks.
  const pkgSection = readPackageJsonSection(cwd);
  if (configPath !== undefined) {
    const file = resolve(cwd, configPath);
    if (!existsSync(file)) throw new ConfigError(`${configPath}: config file not found`);
    return fromConfigFile(file, configPath);
  }
  const present = CONFIG_FILES.filter((name) => existsSync(resolve(cwd, name)));
  if (present.length > 1) {
    throw new ConfigError(`${present.join(' and ')}: more than one config file; keep one, or choose with --config`);
  }
  if (present.length === 1) return fromConfigFile(resolve(cwd, present[0]), present[0]);
  if (pkgSection === undefined) return defaults();
  return validateConfig(pkgSection, { source: PACKAGE_JSON_SOURCE, baseDir: cwd, allowForbid: false, allowRegExp: false });
}

async function fromConfigFile(file: string, shown: string): Promise<ResolvedConfig> {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!stat.isFile()) throw new ConfigError(`${shown}: not a file`);
  if (!/\.(json|mjs|cjs|js)$/.test(file)) throw new ConfigError(`${shown}: a config file is .json, .mjs or .js`);
  const raw = file.endsWith('.json') ? parseJsonFile(file, shown) : await importConfigModule(file, shown, stat.mtimeMs);
  return validateConfig(raw, { source: shown, baseDir: dirname(file), allowForbid: true, allowRegExp: !file.endsWith('.json') });
}

/** The `pillbox` key of package.json in `cwd`, if any; rejects `forbid` there. */
function readPackageJsonSection(cwd: string): unknown {
  const file = resolve(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  const pkg = parseJsonFile(file, 'package.json');
  if (!isPlainObject(pkg)) return undefined;
  const section = pkg.pillbox;
  if (isPlainObject(section) && 'forbid' in section) {
    throw new ConfigError(
      `${PACKAGE_JSON_SOURCE}.forbid: not allowed in package.json, which ships with the package and would publish ` +
        'the very strings it forbids; move forbid to pillbox.config.json (or .mjs/.js) and keep that file out of the package (`pillbox init` does)',
    );
  }
  return section;
}

function defaults(): ResolvedConfig {
  return { failOn: 'high', allow: [], forbid: [] };
}

function parseJsonFile(file: string, shown: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // V8's message can quote the text around the error, which may hold a forbid value: give
    // only the position.
    const position = /at position (\d+)/.exec((err as Error).message);
    throw new ConfigError(`${shown}: invalid JSON${position ? ` at ${lineAndColumn(text, Number(position[1]))}` : ''}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

async function importConfigModule(file: string, shown: string, mtime: number): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    // The query makes an edited config load afresh within one process (tests, watch tools).
    mod = (await import(`${pathToFileURL(file).href}?mtime=${mtime}`)) as Record<string, unknown>;
  } catch (err) {
    // Only the error's kind: its message can quote the file's text.
    const kind = err instanceof Error ? err.name : 'error';
    throw new ConfigError(`${shown}: cannot load (${kind}); run \`node ${basename(file)}\` to see the details`);
  }
  const value = 'default' in mod ? await mod.default : undefined;
  if (value === undefined) throw new ConfigError(`${shown}: must have a default export (export default { ... } or module.exports = { ... })`);
  return value;
}

interface ValidateContext {
  source: string;
  baseDir: string;
  allowForbid: boolean;
  allowRegExp: boolean;
}

/** Validate a parsed config object. Exported for the release gate and plugins that embed config. */
export function validateConfig(raw: unknown, ctx: ValidateContext): ResolvedConfig {
  const where = (key: string) => `${ctx.source}: ${key}`;
  if (!isPlainObject(raw)) throw new ConfigError(`${ctx.source}: must be an object`);
  for (const key of Object.keys(raw)) {
    if (KEY_LIKE_KEYS.includes(key)) {
      throw new ConfigError(
        `${where(key)}: a decoy key is never read from a config file (config files get committed and shipped); ` +
          'give it to the build as decoys.key from your secret store, the PILLBOX_KEY environment variable, or --key-file FILE. ' +
          'Remove this entry and rotate the key if this file was ever committed',
      );
    }
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${where(key)}: unknown key (known keys: ${CONFIG_KEYS.join(', ')})`);
    }
  }
  const config: ResolvedConfig = { failOn: 'high', allow: [], forbid: [], source: ctx.source };
  if (raw.failOn !== undefined) {
    if (!isFailOn(raw.failOn)) {
      throw new ConfigError(`${where('failOn')}: must be one of ${[...SEVERITIES, 'none'].join(', ')}`);
    }
    config.failOn = raw.failOn;
  }
  if (raw.allow !== undefined) config.allow = validateAllow(raw.allow, where);
  if (raw.forbid !== undefined) {
    if (!ctx.allowForbid) throw new ConfigError(`${where('forbid')}: not allowed here`);
    config.forbid = validateForbid(raw.forbid, where, ctx.allowRegExp);
  }
  if (raw.baseline !== undefined) {
    if (typeof raw.baseline !== 'string' || raw.baseline.trim() === '') {
      throw new ConfigError(`${where('baseline')}: must be the path of a previous JSON report`);
    }
    config.baseline = resolve(ctx.baseDir, raw.baseline);
  }
  return config;
}

function validateAllow(value: unknown, where: (key: string) => string): AllowRule[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where('allow')}: must be an array of { path, code?, reason }`);
  return value.map((entry, i) => {
    const at = (key?: string) => where(key ? `allow[${i}].${key}` : `allow[${i}]`);
    if (!isPlainObject(entry)) throw new ConfigError(`${at()}: must be an object { path, code?, reason }`);
    for (const key of Object.keys(entry)) {
      if (!ALLOW_KEYS.includes(key)) throw new ConfigError(`${at(key)}: unknown key (allowed: ${ALLOW_KEYS.join(', ')})`);
    }
    const rule: AllowRule = { path: validateGlob(entry.path, at('path')), reason: '' };
    if (entry.code !== undefined) {
      if (typeof entry.code !== 'string' || !(entry.code in FINDING_CODES)) {
        throw new ConfigError(`${at('code')}: must be a finding code (${Object.keys(FINDING_CODES).join(', ')})`);
      }
      rule.code = entry.code;
    }
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      throw new ConfigError(`${at('reason')}: required: say why this is allowed (reviewers and future you will ask)`);
    }
    rule.reason = entry.reason;
    return rule;
  });
}

function validateGlob(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${at}: must be a glob relative to the package root, e.g. "dist/**/*.map"`);
  }
  if (isAbsolute(value) || /^[A-Za-z]:/.test(value)) throw new ConfigError(`${at}: must be relative to the package root, not absolute: ${value}`);
  if (value.includes('\\')) throw new ConfigError(`${at}: use / as the separator: ${value}`);
  if (value.split('/').includes('..')) throw new ConfigError(`${at}: must stay inside the package (no ..): ${value}`);
  try {
    picomatch.makeRe(value, { strictBrackets: true, dot: true });
  } catch (err) {
    throw new ConfigError(`${at}: invalid glob ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
  return value.replace(/^\.\//, '');
}

function validateForbid(value: unknown, where: (key: string) => string, allowRegExp: boolean): ForbidRule[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where('forbid')}: must be an array of strings or "/regex/flags" strings`);
  return value.map((entry, i) => {
    const label = `forbid[${i}]`;
    const at = where(label);
    if (isRegExp(entry)) {
      if (!allowRegExp) throw new ConfigError(`${at}: RegExp objects are only possible in .mjs/.js configs; write "/regex/flags"`);
      return { label, pattern: checkRegExp(entry, at) };
    }
    if (typeof entry !== 'string') throw new ConfigError(`${at}: must be a string or "/regex/flags" string`);
    if (entry.trim() === '') throw new ConfigError(`${at}: must not be empty`);
    const asRegex = REGEX_STRING.exec(entry);
    if (!asRegex) return { label, pattern: entry };
    const flags = asRegex[2];
    for (const flag of flags) {
      if (!ALLOWED_REGEX_FLAGS.has(flag)) throw new ConfigError(`${at}: unsupported regular expression flag "${flag}" (use i, m, s, u or v)`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(asRegex[1], flags);
    } catch {
      // Never echo the pattern or the engine's message (which quotes it).
      throw new ConfigError(`${at}: invalid regular expression`);
    }
    return { label, pattern: checkRegExp(regex, at) };
  });
}

/** The scanner runs patterns over many files: no sticky/global state, and no empty matches. */
function checkRegExp(regex: RegExp, at: string): RegExp {
  if (regex.sticky) throw new ConfigError(`${at}: the y (sticky) flag is not supported`);
  const flags = regex.flags.replace('g', '');
  const clean = new RegExp(regex.source, flags);
  if (clean.test('')) throw new ConfigError(`${at}: the regular expression matches the empty string, so it would match everything`);
  return clean;
}

// By tag rather than instanceof/prototype: a config module may come from another realm.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Object]';
}

function isRegExp(value: unknown): value is RegExp {
  return Object.prototype.toString.call(value) === '[object RegExp]';
}

/**
 * Read a baseline (a previous JSON report) and return the fingerprints it holds. Anything
 * unreadable is an error, never an empty baseline: a bad baseline must not pass silently.
 */
export function readBaseline(file: string, shown = file): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read the baseline report (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new ConfigError(`${shown}: the baseline is not JSON (give a report written by \`pillbox scan --format json\`)`);
  }
  if (!isPlainObject(report) || report.version !== 1 || !Array.isArray(report.findings)) {
    throw new ConfigError(`${shown}: not a pillbox JSON report (expected { version: 1, findings: [...] })`);
  }
  const fingerprints = new Set<string>();
  report.findings.forEach((f, i) => {
    if (!isPlainObject(f) || typeof f.fingerprint !== 'string' || f.fingerprint === '') {
      throw new ConfigError(`${shown}: findings[${i}] has no fingerprint`);
    }
    fingerprints.add(f.fingerprint);
  });
  return fingerprints;
}
