import type { Rule } from './types.js';
import { inlineGroup } from './inline-maps.js';

/** Rows 3, 4 and 11: data: URI maps with content, in comments or inside string literals. */
export const inlineSourceMapWithContent: Rule = {
  code: 'inline-source-map-with-content',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      const group = inlineGroup(file, true);
      if (!group) continue;
      emit({
        code: 'inline-source-map-with-content',
        file,
        message: `${group.summary}.`,
        evidence: group.evidence,
        identity: { inline: true },
        position: group.maps[0].position,
      });
    }
  },
};
