import type { Rule } from './types.js';

/** Row 17: original sources (.ts, .tsx, .vue, .svelte; not .d.ts) shipped. */
export const originalSource: Rule = {
  code: 'original-source',
  run({ pkg, links, emit }) {
    for (const file of pkg.files) {
      if (!file.originalSource || links.originalsPointedAt.has(file.packagePath)) continue;
      emit({
        code: 'original-source',
        file,
        message: `Original source file ${file.packagePath} is shipped.`,
        evidence: { form: 'original-source' },
        identity: 'original',
      });
    }
  },
};
