import type { FileFacts } from '../facts.js';
import { isRemote } from '../paths.js';
import type { Rule } from './types.js';
import { examples, plural } from './types.js';

function remoteSources(file: FileFacts): string[] {
  const out: string[] = [];
  const maps = file.fileMap ? [file.fileMap, ...file.inlineMaps] : file.inlineMaps;
  for (const map of maps) {
    if (map.summary.sourceRoot && isRemote(map.summary.sourceRoot)) out.push(map.summary.sourceRoot);
    // Judge each entry as written: a remote sourceRoot is reported once, not once per source.
    for (const s of map.sources) if (s.info.raw !== null && isRemote(s.info.raw)) out.push(s.info.raw);
  }
  return out;
}

/** Row 15: sources or sourceRoot pointing at another host (where the originals live). */
export const remoteSource: Rule = {
  code: 'remote-source',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const urls = remoteSources(file);
      if (urls.length === 0) continue;
      emit({
        code: 'remote-source',
        file,
        message: `Source map sources point at ${plural(urls.length, 'remote URL')}, e.g. ${urls[0]}.`,
        evidence: { count: urls.length, examples: examples(urls) },
        identity: 'remote-source',
        position: file.fileMap ? undefined : file.inlineMaps[0]?.position,
      });
    }
  },
};
