import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Decoy, ManifestPlaintext, Tier } from '../core/decoy-types.js';
import { keyId } from '../core/key.js';
import { isManifestEnvelope, ManifestError, openManifest, sealManifest } from '../core/manifest-envelope.js';

// Manifests: `<manifestDir>/<channel>/<release>.json`, sealed (src/core/manifest-envelope.ts).
// Product decoys are read back from any manifest, channel decoys from any release of the same
// channel, so that they persist across releases. A manifest sealed with another key is skipped
// with a warning (a key rotation leaves old ones behind); one sealed with this key that does not
// open is an error, because silently regenerating would break persistence.

const SAFE_SEGMENT = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}$/;

export function checkSegment(what: 'channel' | 'release', value: string): void {
  if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..') {
    throw new Error(`decoys ${what} ${JSON.stringify(value)} is not usable as a file name (letters, digits, . _ + - only)`);
  }
}

export function manifestPath(manifestDir: string, channel: string, release: string): string {
  checkSegment('channel', channel);
  checkSegment('release', release);
  return join(manifestDir, channel, `${release}.json`);
}

export interface PriorDecoys {
  product: Decoy[];
  channel: Decoy[];
  warnings: string[];
}

interface Found {
  path: string;
  plain: ManifestPlaintext;
}

function readAll(manifestDir: string, key: Buffer, warnings: string[]): Found[] {
  if (!existsSync(manifestDir)) return [];
  const id = keyId(key);
  const found: Found[] = [];
  for (const channel of readdirSync(manifestDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const dir = join(manifestDir, channel);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(dir, file);
      let envelope: unknown;
      try {
        envelope = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new ManifestError(`cannot read the manifest ${path}: ${(err as Error).message}`);
      }
      if (!isManifestEnvelope(envelope)) {
        warnings.push(`${path} is not a pillbox manifest; ignored`);
        continue;
      }
      if (envelope.keyId !== id) {
        warnings.push(`${path} was sealed with another key (id ${envelope.keyId}); ignored`);
        continue;
      }
      const plain = openManifest<ManifestPlaintext>(key, envelope, path);
      if (plain.format !== 'pillbox-manifest/v1' || !Array.isArray(plain.decoys)) throw new ManifestError(`${path} has an unknown plaintext format`);
      found.push({ path, plain });
    }
  }
  return found;
}

/** Merge one tier's decoys from several manifests: by id; retired wins (earliest release). */
function merge(lists: Decoy[][]): Decoy[] {
  const byId = new Map<string, Decoy>();
  for (const list of lists) {
    for (const d of list) {
      const have = byId.get(d.id);
      if (!have) byId.set(d.id, d);
      else if (d.retired && (!have.retired || d.retired.release < have.retired.release)) byId.set(d.id, { ...have, retired: d.retired });
    }
  }
  return [...byId.values()];
}

export function readPriorDecoys(manifestDir: string, key: Buffer, channel: string): PriorDecoys {
  const warnings: string[] = [];
  const all = readAll(manifestDir, key, warnings);
  // Same channel first, so its copy of a product decoy wins any (rare) disagreement.
  const ordered = [...all.filter((f) => f.plain.channel === channel), ...all.filter((f) => f.plain.channel !== channel)];
  const product = merge(ordered.map((f) => f.plain.decoys.filter((d) => d.tier === 'product')));
  const channelDecoys = merge(all.filter((f) => f.plain.channel === channel).map((f) => f.plain.decoys.filter((d) => d.tier === 'channel')));
  return { product, channel: channelDecoys, warnings };
}

export function writeManifest(path: string, key: Buffer, plain: ManifestPlaintext): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(sealManifest(key, plain), null, 2) + '\n');
}

const TIER_ORDER: Record<Tier, number> = { product: 0, channel: 1, release: 2 };

/** Stable order: tier, shipped before controls, then index. */
export function sortDecoys(decoys: Decoy[]): Decoy[] {
  const index = (d: Decoy) => Number(d.id.slice(d.id.lastIndexOf('/') + 1));
  return decoys.slice().sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || Number(a.control) - Number(b.control) || index(a) - index(b));
}
