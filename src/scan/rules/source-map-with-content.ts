import type { Rule } from './types.js';
import { exposureMessage, mapEvidence } from './map-evidence.js';

/** Row 1 (and 8, 10, 14, 16 with content): a shipped map file whose sourcesContent holds source. */
export const sourceMapWithContent: Rule = {
  code: 'source-map-with-content',
  run({ pkg, links, emit }) {
    for (const file of pkg.files) {
      const map = file.fileMap;
      if (!map || map.exposure.sourcesWithContent === 0) continue;
      const referencedBy = links.referencedBy.get(file.packagePath);
      const how = referencedBy ? `referenced by ${referencedBy[0]}` : 'with no reference pointing at it';
      emit({
        code: 'source-map-with-content',
        file,
        message: `Source map (${map.form.join(', ')}, ${how}) ${exposureMessage(map)}.`,
        evidence: { ...mapEvidence(map), status: referencedBy ? 'linked' : undefined, referencedBy },
        identity: { form: map.form },
      });
    }
  },
};
