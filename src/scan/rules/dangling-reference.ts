import type { Rule } from './types.js';

/** Row 7: a reference comment whose map is not shipped (it names the map and says one exists). */
export const danglingReference: Rule = {
  code: 'dangling-reference',
  run({ links, emit }) {
    for (const ref of links.references) {
      if (ref.status !== 'dangling') continue;
      const how = ref.sectionUrl !== undefined ? 'index map sections[].url' : `${ref.directive?.legacy ? '//@' : ref.directive?.form === 'block-comment' ? '/*#' : '//#'} comment`;
      emit({
        code: 'dangling-reference',
        file: ref.file,
        message: `${how} points at ${ref.url}, which is not shipped.`,
        evidence: { url: ref.url, status: 'dangling', target: ref.target, form: ref.directive?.form ?? 'index-map-section' },
        identity: ref.url,
        position: ref.directive?.position,
      });
    }
  },
};
