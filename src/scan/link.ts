import type { DirectiveFact, FileFacts, MapFact, PackageFacts } from './facts.js';
import { resolveInPackage, sourceCandidates, urlKind } from './paths.js';

// The package-level pass: what points at what, once every file of a target has been seen.

export type ReferenceStatus = 'linked' | 'dangling' | 'remote' | 'inline';

export interface ReferenceLink {
  file: FileFacts;
  directive?: DirectiveFact;
  /** A legacy index-map `sections[].url`, when that is what refers. */
  sectionUrl?: string;
  url: string;
  status: ReferenceStatus;
  /** Package path it resolves to (linked and dangling). */
  target?: string;
}

export interface PackageLinks {
  references: ReferenceLink[];
  /** Map package path -> files whose reference points at it. */
  referencedBy: Map<string, string[]>;
  /** Shipped original source package path -> maps (package paths) whose sources name it. */
  originalsPointedAt: Map<string, string[]>;
}

export function classifyReference(fromPackagePath: string, url: string, byPath: Map<string, FileFacts>): { status: ReferenceStatus; target?: string } {
  const kind = urlKind(url);
  if (kind === 'data') return { status: 'inline' };
  if (kind === 'remote') return { status: 'remote' };
  if (kind === 'file') return { status: 'dangling' };
  const target = resolveInPackage(fromPackagePath, url);
  if (target && byPath.has(target)) return { status: 'linked', target };
  return { status: 'dangling', target };
}

function mapsOf(file: FileFacts): MapFact[] {
  return file.fileMap ? [file.fileMap, ...file.inlineMaps] : file.inlineMaps;
}

export function linkPackage(pkg: PackageFacts): PackageLinks {
  const references: ReferenceLink[] = [];
  const referencedBy = new Map<string, string[]>();
  for (const file of pkg.files) {
    for (const directive of file.directives) {
      if (directive.name !== 'sourceMappingURL') continue;
      // data: URIs are judged as inline maps (whether they decode to one or not).
      if (urlKind(directive.value) === 'data') continue;
      const { status, target } = classifyReference(file.packagePath, directive.value, pkg.byPackagePath);
      references.push({ file, directive, url: directive.value, status, target });
      if (status === 'linked' && target) referencedBy.set(target, [...(referencedBy.get(target) ?? []), file.packagePath]);
    }
    for (const url of file.fileMap?.summary.sectionUrls ?? []) {
      const { status, target } = classifyReference(file.packagePath, url, pkg.byPackagePath);
      references.push({ file, sectionUrl: url, url, status, target });
    }
  }

  const originals = new Set(pkg.files.filter((f) => f.originalSource).map((f) => f.packagePath));
  const originalsPointedAt = new Map<string, string[]>();
  if (originals.size > 0) {
    for (const file of pkg.files) {
      for (const map of mapsOf(file)) {
        for (const entry of map.summary.entries) {
          if (entry.source === null) continue;
          for (const candidate of pointedOriginals(file.packagePath, entry.source, entry.sourceRoot, originals)) {
            const list = originalsPointedAt.get(candidate) ?? [];
            if (!list.includes(file.packagePath)) list.push(file.packagePath);
            originalsPointedAt.set(candidate, list);
          }
        }
      }
    }
  }
  return { references, referencedBy, originalsPointedAt };
}

/**
 * Shipped originals a `sources` entry names: by resolution (relative and bundler namespaces),
 * and for absolute machine paths (`/Users/dev/app/src/a.ts`) by a path suffix that is a shipped
 * original with at least one folder (`src/a.ts`), since the build machine's root is unknown.
 */
function pointedOriginals(mapPath: string, source: string, sourceRoot: string | undefined, originals: Set<string>): string[] {
  const found = sourceCandidates(mapPath, source, sourceRoot).filter((c) => originals.has(c));
  if (found.length > 0) return found;
  const kind = urlKind(source);
  if (kind !== 'absolute' && kind !== 'file') return [];
  const segments = source.replace(/^file:\/\//i, '').replace(/[?#].*$/, '').replace(/\\/g, '/').split('/').filter(Boolean);
  for (let i = 1; i < segments.length - 1; i++) {
    const suffix = segments.slice(i).join('/');
    if (originals.has(suffix)) return [suffix];
  }
  return [];
}
