import type { Rule } from './types.js';

/** Row 17 escalated (rows 2 and 16): shipped originals that a shipped map's sources point at. */
export const originalSourceRecoverable: Rule = {
  code: 'original-source-recoverable',
  run({ pkg, links, emit }) {
    for (const file of pkg.files) {
      const maps = links.originalsPointedAt.get(file.packagePath);
      if (!file.originalSource || !maps) continue;
      emit({
        code: 'original-source-recoverable',
        file,
        message: `Original source ${file.packagePath} is shipped and ${maps[0]}${maps.length > 1 ? ` (and ${maps.length - 1} more)` : ''} maps the built code back to it.`,
        evidence: { target: maps[0], examples: maps.slice(0, 5), count: maps.length },
        identity: 'original',
      });
    }
  },
};
