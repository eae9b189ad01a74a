import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Decoy, ManifestPlaintext, Tier } from '../core/decoy-types.js';
import { readManifestDir } from '../core/manifest-store.js';

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
  const contents = readManifestDir(manifestDir, key);
  warnings.push(...contents.warnings);
  return contents.opened;
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

const TIER_ORDER: Record<Tier, number> = { product: 0, channel: 1, release: 2 };

/** Stable order: tier, shipped before controls, then index. */
export function sortDecoys(decoys: Decoy[]): Decoy[] {
  const index = (d: Decoy) => Number(d.id.slice(d.id.lastIndexOf('/') + 1));
  return decoys.slice().sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || Number(a.control) - Number(b.control) || index(a) - index(b));
}
