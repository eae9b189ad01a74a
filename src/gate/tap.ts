import type { ScanEntry, TargetReader } from '../scan/types.js';

// Reader wrappers: record what a target held while the engine reads it (for --compare-previous,
// with no second pass over a tarball), and prefix display paths (workspace packages).

export interface ReleaseFile {
  path: string;
  size: number;
}

export interface ReleaseShape {
  name?: string;
  version?: string;
  files: ReleaseFile[];
}

export interface Tapped {
  reader: TargetReader;
  /** Filled while the engine iterates the reader. */
  shape: ReleaseShape;
  /** Display path of each package path seen. */
  display: Map<string, string>;
}

export function tapReader(inner: TargetReader): Tapped {
  const shape: ReleaseShape = { files: [] };
  const display = new Map<string, string>();
  const reader: TargetReader = {
    summary: inner.summary,
    errors: inner.errors,
    async *entries() {
      for await (const entry of inner.entries()) {
        shape.files.push({ path: entry.packagePath, size: entry.size });
        display.set(entry.packagePath, entry.path);
        if (entry.packagePath !== 'package.json') {
          yield entry;
          continue;
        }
        yield {
          ...entry,
          read: async () => {
            const buf = await entry.read();
            try {
              const pkg = JSON.parse(buf.toString('utf8')) as { name?: unknown; version?: unknown };
              if (typeof pkg.name === 'string') shape.name = pkg.name;
              if (typeof pkg.version === 'string') shape.version = pkg.version;
            } catch {
              // Not JSON: the comparison reports that it cannot tell which package this is.
            }
            return buf;
          },
        } satisfies ScanEntry;
      }
    },
  };
  return { reader, shape, display };
}

/** Shows entries as `<prefix>/<path>` (packagePath, and so allow globs and fingerprints, unchanged). */
export function prefixReader(inner: TargetReader, prefix: string): TargetReader {
  if (prefix === '' || prefix === '.') return inner;
  return {
    summary: inner.summary,
    errors: inner.errors,
    async *entries() {
      for await (const entry of inner.entries()) yield { ...entry, path: `${prefix}/${entry.path}` };
    },
  };
}
