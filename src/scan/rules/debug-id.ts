import type { Rule } from './types.js';
import { examples, plural } from './types.js';

/** Row 13: a debugId (comment or map field) says maps exist somewhere, e.g. at an error tracker. */
export const debugId: Rule = {
  code: 'debug-id',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const comments = file.directives.filter((d) => d.name === 'debugId');
      const maps = file.fileMap ? [file.fileMap, ...file.inlineMaps] : file.inlineMaps;
      const ids = [...comments.map((d) => d.value), ...maps.flatMap((m) => (m.summary.debugId ? [m.summary.debugId] : []))];
      if (ids.length === 0) continue;
      emit({
        code: 'debug-id',
        file,
        message: `${plural(ids.length, 'debugId')} ${comments.length > 0 ? 'in comments' : 'in the map'}: maps for this code exist somewhere.`,
        evidence: { count: ids.length, examples: examples(ids), form: comments.length > 0 ? 'comment' : 'map-field' },
        identity: 'debug-id',
        position: comments[0]?.position,
      });
    }
  },
};
