import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Decoy, ManifestPlaintext } from '../src/core/decoy-types.js';
import { openManifest } from '../src/core/manifest-envelope.js';
import { plantDecoys } from '../src/decoys/index.js';

// Shared by the detect tests: a real build of the fixture app with decoys planted by the real
// engine, haystacks of real code and prose from node_modules, and the changes a copier or a
// model makes to a name.

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const APP_ENTRY = join(ROOT, 'fixtures/detect/app/main.js');

export function tempDir(prefix = 'pillbox-detect-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function bundleApp(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [APP_ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export interface PlantedRelease {
  channel: string;
  release: string;
  code: string;
  manifest: ManifestPlaintext;
  /** Shipped decoys that were placed in this build, by tier. */
  placed: Decoy[];
}

export async function plantRelease(code: string, key: Buffer, channel: string, release: string, manifestDir: string): Promise<PlantedRelease> {
  const res = await plantDecoys([{ fileName: 'cli.js', code }], { key, channel, release, manifestDir, onWarning: () => {} });
  const manifest = openManifest<ManifestPlaintext>(key, JSON.parse(readFileSync(res.manifestPath, 'utf8')));
  const placedIds = new Set(manifest.placements.map((p) => p.decoyId));
  const placed = manifest.decoys.filter((d) => !d.control && !d.retired && placedIds.has(d.id));
  return { channel, release, code: res.chunks[0].code, manifest, placed };
}

/** Text files of real code and prose from node_modules, in a stable order, up to maxBytes. */
export function realText(maxBytes: number, skip = 0): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  let skipped = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      if (total >= maxBytes) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.bin' && e.name !== '.cache') walk(p);
      } else if (e.isFile() && /\.(?:m?js|cjs|ts|md)$/.test(e.name)) {
        const size = statSync(p).size;
        if (size === 0 || size > 4 << 20) continue;
        if (skipped < skip) {
          skipped += size;
          continue;
        }
        out.push(readFileSync(p));
        total += size;
      }
    }
  };
  walk(join(ROOT, 'node_modules'));
  return out;
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** Words of an identifier as a person reads them: camelCase, snake_case, kebab-case, digits. */
export function tokens(text: string): string[] {
  return (
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
      .replace(/([A-Za-z])([0-9])|([0-9])([A-Za-z])/g, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`))
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  );
}

/** The changes a copier or a model makes to a name. Each returns the text to put in the haystack. */
export const TRANSFORMS: Record<string, (name: string) => string> = {
  verbatim: (n) => n,
  camelCase: (n) => tokens(n).map((w, i) => (i === 0 ? w : cap(w))).join(''),
  snake_case: (n) => tokens(n).join('_'),
  'kebab-case': (n) => tokens(n).join('-'),
  SCREAMING_CASE: (n) => tokens(n).join('_').toUpperCase(),
  'Title Words': (n) => tokens(n).map(cap).join(' '),
  lowercased: (n) => n.toLowerCase(),
  // Fullwidth forms: NFKC folds them back to ASCII.
  fullwidth: (n) => [...n].map((c) => (/[A-Za-z0-9]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''),
  unicodeEscapes: (n) => [...n].map((c, i) => (i % 2 === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join(''),
  hexEscapes: (n) => [...n].map((c, i) => (i % 3 === 1 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join(''),
  // In a JSON string inside JSON (a transcript holding a tool call): escapes escaped again.
  doubleEscaped: (n) => tokens(n).join('\\\\n').replace(/^(.)/, (c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  newlineEscapes: (n) => tokens(n).join('\\n'),
  // A minifier or an obfuscator splitting a string literal.
  minifiedQuoting: (n) => {
    const t = tokens(n);
    const half = Math.ceil(t.length / 2);
    return `"${t.slice(0, half).join('_')}_"+'${t.slice(half).join('_')}'`;
  },
};

/** A haystack: real text with `needles` inserted at spread-out places between lines. */
export function haystack(filler: Buffer[], needles: string[], seed = 1): Buffer {
  const parts: Buffer[] = [];
  let r = seed;
  const next = () => (r = (r * 1103515245 + 12345) % 2147483648);
  const every = Math.max(1, Math.floor(filler.length / (needles.length + 1)));
  let n = 0;
  filler.forEach((f, i) => {
    parts.push(f);
    if (i % every === every - 1 && n < needles.length) {
      const shape = next() % 3;
      const needle = needles[n++];
      parts.push(Buffer.from(shape === 0 ? `\n  case "${needle}": return null;\n` : shape === 1 ? `\nSee ${needle} for details.\n` : `\n{"name":"${needle}"}\n`));
    }
  });
  for (; n < needles.length; n++) parts.push(Buffer.from(`\n${needles[n]}\n`));
  return Buffer.concat(parts);
}

export function mkdirp(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}
