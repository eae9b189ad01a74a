import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestPlaintext } from './decoy-types.js';
import { keyId } from './key.js';
import { isManifestEnvelope, ManifestError, openManifest, sealManifest } from './manifest-envelope.js';

// Reading and writing `<manifestDir>/<channel>/<release>.json`, shared by the decoy engine (which
// writes one per build and reads back earlier product and channel decoys), the harden core
// (which re-seals a build's own after its files are renamed) and `detect` (which needs every
// release's decoys).
// Files that are not manifests, and manifests sealed with another key, are skipped with a
// warning; one of ours that cannot be read or opened throws ManifestError: silently making new
// decoys, or silently searching for fewer, would both be wrong.

export interface OpenedManifest {
  path: string;
  plain: ManifestPlaintext;
}

export interface ManifestDirContents {
  opened: OpenedManifest[];
  warnings: string[];
  /** Key ids of manifests sealed with other keys. */
  otherKeys: Set<string>;
}

export function readManifestDir(manifestDir: string, key: Buffer, show: (path: string) => string = (p) => p): ManifestDirContents {
  const id = keyId(key);
  const contents: ManifestDirContents = { opened: [], warnings: [], otherKeys: new Set() };
  const channels = readdirSync(manifestDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const channel of channels) {
    const dir = join(manifestDir, channel);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(dir, file);
      let envelope: unknown;
      try {
        envelope = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new ManifestError(`cannot read the manifest ${show(path)}: ${(err as Error).message}`);
      }
      if (!isManifestEnvelope(envelope)) {
        contents.warnings.push(`${show(path)} is not a pillbox manifest; ignored`);
        continue;
      }
      if (envelope.keyId !== id) {
        contents.otherKeys.add(String(envelope.keyId));
        contents.warnings.push(`${show(path)} was sealed with another key (id ${String(envelope.keyId)}); ignored`);
        continue;
      }
      const plain = openManifest<ManifestPlaintext>(key, envelope, show(path));
      if (plain.format !== 'pillbox-manifest/v1' || !Array.isArray(plain.decoys) || typeof plain.channel !== 'string' || typeof plain.release !== 'string') {
        throw new ManifestError(`${show(path)} has an unknown plaintext format`);
      }
      contents.opened.push({ path, plain });
    }
  }
  return contents;
}

export function writeManifest(path: string, key: Buffer, plain: ManifestPlaintext): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(sealManifest(key, plain), null, 2) + '\n');
}
