import type { Rule } from './types.js';
import { examples, plural } from './types.js';

/** Row 12: sourceURL comments name original files (eval bundles carry one per module). */
export const sourceUrl: Rule = {
  code: 'source-url',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const found = file.directives.filter((d) => d.name === 'sourceURL');
      if (found.length === 0) continue;
      emit({
        code: 'source-url',
        file,
        message: `${plural(found.length, 'sourceURL comment')} name original files, e.g. ${found[0].value}.`,
        evidence: { count: found.length, examples: examples(found.map((d) => d.value)), form: found[0].form },
        identity: 'source-url',
        position: found[0].position,
      });
    }
  },
};
