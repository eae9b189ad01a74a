import type { Rule } from './types.js';

/** A reference to a remote map: reported, never fetched. */
export const remoteReference: Rule = {
  code: 'remote-reference',
  run({ links, emit }) {
    for (const ref of links.references) {
      if (ref.status !== 'remote') continue;
      emit({
        code: 'remote-reference',
        file: ref.file,
        message: `${ref.sectionUrl !== undefined ? 'Index map section' : 'Reference comment'} points at a remote map: ${ref.url} (not fetched).`,
        evidence: { url: ref.url, status: 'remote', form: ref.directive?.form ?? 'index-map-section' },
        identity: ref.url,
        position: ref.directive?.position,
      });
    }
  },
};
