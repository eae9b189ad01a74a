import type { FileFacts } from '../facts.js';
import { localKind } from '../paths.js';
import type { Rule } from './types.js';
import { examples, plural } from './types.js';

function localPaths(file: FileFacts): string[] {
  const out: string[] = [];
  const maps = file.fileMap ? [file.fileMap, ...file.inlineMaps] : file.inlineMaps;
  for (const map of maps) {
    if (map.summary.sourceRoot && localKind(map.summary.sourceRoot)) out.push(map.summary.sourceRoot);
    if (map.summary.file && localKind(map.summary.file)) out.push(map.summary.file);
    // Judge each entry as written: a local sourceRoot is reported once, not once per source.
    for (const s of map.sources) if (s.info.raw !== null && localKind(s.info.raw)) out.push(s.info.raw);
  }
  for (const d of file.directives) {
    if ((d.name === 'sourceURL' || d.name === 'sourceMappingURL') && localKind(d.value)) out.push(d.value);
  }
  return out;
}

/** Row 15: absolute, file:// and home-directory paths in maps, sourceURL and references. */
export const localPath: Rule = {
  code: 'local-path',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const paths = localPaths(file);
      if (paths.length === 0) continue;
      const first = file.directives.find((d) => localKind(d.value));
      emit({
        code: 'local-path',
        file,
        message: `${plural(paths.length, 'machine-local path')} (absolute, file:// or a home directory) in source map paths or comments, e.g. ${paths[0]}.`,
        evidence: { count: paths.length, examples: examples(paths) },
        identity: 'local-path',
        position: file.fileMap ? undefined : (first?.position ?? file.inlineMaps[0]?.position),
      });
    }
  },
};
