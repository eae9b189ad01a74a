import type { Rule } from './types.js';
import { plural } from './types.js';

/** Row 20: a forbidden string in code or in decoded map content. Names the rule, never the string. */
export const forbiddenString: Rule = {
  code: 'forbidden-string',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      for (const hit of file.forbidden) {
        const inMaps = hit.where.some((w) => w.includes('sourcesContent'));
        emit({
          code: 'forbidden-string',
          file,
          message: `A string forbidden by ${hit.rule} appears ${plural(hit.count, 'time')} (${hit.where.join(', ')})${inMaps ? ', inside source map content' : ''}.`,
          evidence: { rule: hit.rule, where: hit.where.join(', '), count: hit.count },
          identity: hit.rule,
          position: hit.position,
        });
      }
    }
  },
};
