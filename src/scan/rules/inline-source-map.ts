import type { Rule } from './types.js';
import { inlineGroup } from './inline-maps.js';

/** Rows 3 and 4 without content: an inline map still reveals paths and identifier names. */
export const inlineSourceMap: Rule = {
  code: 'inline-source-map',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const group = inlineGroup(file, false);
      if (!group) continue;
      emit({
        code: 'inline-source-map',
        file,
        message: `${group.summary}.`,
        evidence: group.evidence,
        identity: { inline: true },
        position: group.maps[0].position,
      });
    }
  },
};
