import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { Decoy, ManifestPlaintext, Tier } from '../core/decoy-types.js';
import { keyId } from '../core/key.js';
import { ManifestError } from '../core/manifest-envelope.js';
import { readManifestDir, type ManifestDirContents } from '../core/manifest-store.js';

// Reading the decoys back: every manifest under `<dir>/<channel>/<release>.json` sealed with
// this key, narrowed by --channel/--release, merged into scopes. Product decoys are the same in
// every manifest and channel decoys in every release of a channel, so they are merged by id.
// Fail closed: a manifest sealed with this key that does not open (tampered, truncated) is an
// error, and so is finding nothing usable. Manifests of another key are skipped with a warning
// (a key rotation leaves old ones behind), unless they are all there is.

export class DetectSetupError extends Error {
  override name = 'DetectSetupError';
}

export interface ScopeRef {
  tier: Tier;
  channel?: string;
  release?: string;
}

export interface Scope extends ScopeRef {
  /** `product`, `channel:<c>`, `release:<c>/<r>`. */
  id: string;
  /** Shipped decoys (retired ones included: they shipped in earlier releases). */
  decoys: Decoy[];
  controls: Decoy[];
}

export interface LoadedManifests {
  manifests: Array<{ channel: string; release: string; path: string }>;
  scopes: Scope[];
  warnings: string[];
}

export function scopeId(ref: ScopeRef): string {
  return ref.tier === 'product' ? 'product' : ref.tier === 'channel' ? `channel:${ref.channel}` : `release:${ref.channel}/${ref.release}`;
}

export interface LoadOptions {
  dir: string;
  key: Buffer;
  channels?: string[];
  releases?: string[];
  /** Paths in messages are shown relative to this. */
  cwd?: string;
}

export function loadManifests(opts: LoadOptions): LoadedManifests {
  const show = (p: string) => (opts.cwd ? relative(opts.cwd, p) || '.' : p);
  const id = keyId(opts.key);
  let contents: ManifestDirContents;
  try {
    if (!statSync(opts.dir).isDirectory()) throw new DetectSetupError(`${show(opts.dir)} is not a directory of manifests`);
    contents = readManifestDir(opts.dir, opts.key, show);
  } catch (err) {
    if (err instanceof DetectSetupError) throw err;
    if (err instanceof ManifestError) throw new DetectSetupError(err.message);
    throw new DetectSetupError(
      `no manifests: cannot read ${show(opts.dir)} (${(err as NodeJS.ErrnoException).code ?? 'error'}). ` +
        'Builds with decoys write them to .pillbox/manifests; pass --manifests DIR to use another folder.',
    );
  }
  const { opened, warnings, otherKeys } = contents;
  if (opened.length === 0) {
    if (otherKeys.size > 0) {
      throw new DetectSetupError(
        `the manifests in ${show(opts.dir)} were sealed with another key (id ${[...otherKeys].sort().join(', ')}), not this one (id ${id})`,
      );
    }
    throw new DetectSetupError(`no manifests in ${show(opts.dir)} (expected <channel>/<release>.json files written by builds with decoys)`);
  }
  const chosen = opened.filter(
    ({ plain }) =>
      (!opts.channels?.length || opts.channels.includes(plain.channel)) && (!opts.releases?.length || opts.releases.includes(plain.release)),
  );
  if (chosen.length === 0) {
    const have = opened.map(({ plain }) => `${plain.channel}/${plain.release}`).join(', ');
    throw new DetectSetupError(`no manifest matches ${describeFilter(opts)} (have: ${have})`);
  }
  return { manifests: chosen.map(({ path, plain }) => ({ channel: plain.channel, release: plain.release, path: show(path) })), scopes: mergeScopes(chosen.map((c) => c.plain)), warnings };
}

function describeFilter(opts: LoadOptions): string {
  const parts = [...(opts.channels ?? []).map((c) => `--channel ${c}`), ...(opts.releases ?? []).map((r) => `--release ${r}`)];
  return parts.join(' ') || 'the filters';
}

/** One scope per tier × channel × release, decoys merged by id (product and channel tiers repeat in every manifest). */
export function mergeScopes(plains: ManifestPlaintext[]): Scope[] {
  const scopes = new Map<string, Scope & { seen: Set<string> }>();
  for (const plain of plains) {
    for (const d of plain.decoys) {
      const ref: ScopeRef =
        d.tier === 'product' ? { tier: 'product' } : d.tier === 'channel' ? { tier: 'channel', channel: plain.channel } : { tier: 'release', channel: plain.channel, release: plain.release };
      const sid = scopeId(ref);
      let scope = scopes.get(sid);
      if (!scope) {
        scope = { ...ref, id: sid, decoys: [], controls: [], seen: new Set() };
        scopes.set(sid, scope);
      }
      const dedupe = `${d.id}\0${d.name}`;
      if (scope.seen.has(dedupe)) continue;
      scope.seen.add(dedupe);
      (d.control ? scope.controls : scope.decoys).push(d);
    }
  }
  const order: Record<Tier, number> = { product: 0, channel: 1, release: 2 };
  return [...scopes.values()]
    .map(({ seen: _seen, ...scope }) => scope)
    .sort((a, b) => order[a.tier] - order[b.tier] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
