import type { Rule } from './types.js';
import { exposureMessage, mapEvidence } from './map-evidence.js';

/** Rows 2 and 16: a shipped map without content still reveals paths and identifier names. */
export const sourceMap: Rule = {
  code: 'source-map',
  run({ pkg, links, emit }) {
    for (const file of pkg.files) {
      const map = file.fileMap;
      if (!map || map.exposure.sourcesWithContent > 0) continue;
      const referencedBy = links.referencedBy.get(file.packagePath);
      emit({
        code: 'source-map',
        file,
        message: `Source map (${map.form.join(', ')}) ${exposureMessage(map)}.`,
        evidence: { ...mapEvidence(map), status: referencedBy ? 'linked' : undefined, referencedBy },
        identity: { form: map.form },
      });
    }
  },
};
