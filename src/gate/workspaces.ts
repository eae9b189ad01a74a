import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';

// `--workspaces`: every package of a workspace, as each would be published. Workspaces come
// from package.json `workspaces` (npm, Yarn, Bun) or pnpm-workspace.yaml `packages`.

export interface WorkspacePackage {
  /** Absolute folder. */
  dir: string;
  /** Folder relative to the root, `/`-separated (`.` for the root itself). */
  rel: string;
  name: string;
  version: string;
  private: boolean;
}

export interface WorkspaceList {
  packages: WorkspacePackage[];
  /** Where the patterns came from, for messages. */
  source: string;
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

const SKIP_DIRS = new Set(['node_modules', '.git']);
const MAX_DEPTH = 8;

/** The root package (when it would be published) and every workspace package under `root`. */
export function listWorkspaces(root: string): WorkspaceList {
  const rootPkg = readPackage(root);
  if (!rootPkg) throw new WorkspaceError(`${join(root, 'package.json')}: missing or not valid JSON`);
  const { patterns, source } = workspacePatterns(root, rootPkg.json);
  if (patterns.length === 0) throw new WorkspaceError(`no workspaces declared (package.json "workspaces" or pnpm-workspace.yaml "packages")`);

  const include = patterns.filter((p) => !p.startsWith('!')).map((p) => picomatch(trimSlashes(p)));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => picomatch(trimSlashes(p.slice(1))));
  const found: WorkspacePackage[] = [toPackage(root, root, rootPkg.json)];
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIP_DIRS.has(entry.name)) continue;
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (include.some((m) => m(rel)) && !exclude.some((m) => m(rel))) {
        const pkg = readPackage(abs);
        if (pkg) found.push(toPackage(root, abs, pkg.json));
        else if (existsSync(join(abs, 'package.json'))) throw new WorkspaceError(`${rel}/package.json: not valid JSON`);
      }
      walk(abs, depth + 1);
    }
  };
  walk(root, 1);
  found.sort((a, b) => (a.rel === '.' ? -1 : b.rel === '.' ? 1 : a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { packages: found, source };
}

function workspacePatterns(root: string, pkg: Record<string, unknown>): { patterns: string[]; source: string } {
  const pnpmFile = join(root, 'pnpm-workspace.yaml');
  if (existsSync(pnpmFile)) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(pnpmFile, 'utf8'));
    } catch (err) {
      throw new WorkspaceError(`pnpm-workspace.yaml: ${(err as Error).message.split('\n')[0]}`);
    }
    const packages = (doc as { packages?: unknown } | null)?.packages;
    if (!isStringArray(packages)) throw new WorkspaceError('pnpm-workspace.yaml: "packages" must be a list of globs');
    return { patterns: packages, source: 'pnpm-workspace.yaml' };
  }
  const ws = pkg.workspaces;
  // npm/Bun: an array; Yarn 1 also allows { packages: [...] }.
  const patterns = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
  if (ws !== undefined && !isStringArray(patterns)) throw new WorkspaceError('package.json "workspaces" must be a list of globs');
  return { patterns: (patterns as string[] | undefined) ?? [], source: 'package.json "workspaces"' };
}

function toPackage(root: string, dir: string, json: Record<string, unknown>): WorkspacePackage {
  const rel = relative(root, dir).split(sep).join('/') || '.';
  return { dir, rel, name: String(json.name ?? rel), version: String(json.version ?? ''), private: json.private === true };
}

function readPackage(dir: string): { json: Record<string, unknown> } | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    return json && typeof json === 'object' && !Array.isArray(json) ? { json: json as Record<string, unknown> } : undefined;
  } catch {
    return undefined;
  }
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function trimSlashes(p: string): string {
  return p.replace(/^\.\//, '').replace(/\/+$/, '');
}
