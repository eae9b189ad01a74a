import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import type { ScanError } from '../core/findings.js';
import { managerCommand } from './managers.js';
import { parsePackJson } from '../core/npm-pack-json.js';
import { failureSummary, runCommand } from '../core/run-command.js';
import type { ReleaseShape } from './tap.js';

// Published releases, fetched with npm itself so that the user's registry, scopes, auth and
// proxy settings (.npmrc, npm_config_*) apply: `npm pack <spec> --pack-destination`, `npm view`.

export interface NpmTarget {
  /** As given: `npm:name@version`. */
  raw: string;
  name: string;
  /** A version, a range or a dist-tag; `latest` when omitted. */
  spec: string;
}

/** `npm:name`, `npm:name@1.2.3`, `npm:@scope/name@^1` → its parts; undefined if not an npm: target. */
export function parseNpmTarget(target: string): NpmTarget | undefined | { error: string } {
  if (!target.startsWith('npm:')) return undefined;
  const rest = target.slice(4);
  const at = rest.indexOf('@', rest.startsWith('@') ? 1 : 0);
  const name = at < 0 ? rest : rest.slice(0, at);
  const spec = at < 0 ? 'latest' : rest.slice(at + 1);
  // npm's own name rules, loosely: lower-case URL-safe segments, one optional scope.
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) || spec === '' || /\s/.test(spec)) {
    return { error: `${target}: not a package spec; expected npm:<name>@<version>` };
  }
  return { raw: target, name, spec };
}

export interface FetchedRelease {
  name: string;
  version: string;
  /** Folder holding the tarball; remove it after the scan. */
  dir: string;
  tarball: string;
  shape: ReleaseShape;
}

/** Downloads `name@spec` with `npm pack` into a temporary folder. */
export async function fetchRelease(target: NpmTarget, cwd: string, env: NodeJS.ProcessEnv): Promise<FetchedRelease | { error: ScanError }> {
  const dir = await mkdtemp(join(tmpdir(), 'pillbox-audit-'));
  const result = await npm(['pack', `${target.name}@${target.spec}`, '--pack-destination', dir, '--json'], cwd, env);
  const parsed = 'error' in result ? undefined : parsePackJson(result.stdout);
  const tarballs = parsed ? (await readdir(dir)).filter((f) => f.endsWith('.tgz')) : [];
  if (!parsed || tarballs.length !== 1) {
    await rm(dir, { recursive: true, force: true });
    const why = 'error' in result ? result.error : parsed ? `it wrote ${tarballs.length} tarballs` : 'npm pack --json gave an unexpected shape';
    const code = /E404|404 Not Found|ETARGET|No matching version/i.test(why) ? 'not-found' : 'pack-failed';
    return { error: { path: target.raw, code, message: `${target.raw}: cannot fetch the release: ${why}` } };
  }
  return { name: parsed.name, version: parsed.version, dir, tarball: tarballs[0], shape: { name: parsed.name, version: parsed.version, files: parsed.files } };
}

/** Every published version of `name` (`npm view name versions --json`). */
export async function publishedVersions(name: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string[] | { error: string; notPublished: boolean }> {
  const result = await npm(['view', name, 'versions', '--json'], cwd, env);
  if ('error' in result) return { error: result.error, notPublished: /E404|404 Not Found/i.test(result.error) };
  try {
    const parsed = JSON.parse(result.stdout) as unknown;
    // A package with one version prints a string, not an array.
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter((v): v is string => typeof v === 'string');
  } catch {
    return { error: 'npm view --json printed no JSON', notPublished: false };
  }
}

/**
 * The release before `version`: the highest published version below it. Pre-releases count
 * only when `version` is one (a 3.0.0-beta.2 is compared with 3.0.0-beta.1, a 2.1.88 with 2.1.87).
 */
export function previousVersion(versions: string[], version: string): string | undefined {
  const current = semver.parse(version);
  if (!current) return undefined;
  const wantPre = current.prerelease.length > 0;
  const lower = versions
    .map((v) => semver.parse(v))
    .filter((v): v is semver.SemVer => v !== null && semver.lt(v, current) && (wantPre || v.prerelease.length === 0));
  lower.sort(semver.rcompare);
  return lower[0]?.version;
}

/** The file list of a published release, without keeping its tarball (`npm pack --dry-run`). */
export async function releaseShape(name: string, version: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ReleaseShape | { error: string }> {
  const result = await npm(['pack', `${name}@${version}`, '--dry-run', '--json'], cwd, env);
  if ('error' in result) return result;
  const parsed = parsePackJson(result.stdout);
  if (!parsed) return { error: 'npm pack --json gave an unexpected shape' };
  return { name: parsed.name, version: parsed.version, files: parsed.files };
}

async function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string } | { error: string }> {
  const cli = managerCommand('npm', env);
  try {
    const result = await runCommand(cli.command, [...cli.prefix, ...args], { cwd, env });
    if (result.code !== 0) return { error: failureSummary(result) };
    return { stdout: result.stdout };
  } catch (err) {
    return { error: `npm could not be started: ${(err as Error).message}` };
  }
}
