import type { Evidence } from '../../core/findings.js';
import type { MapFact } from '../facts.js';
import { examples, fmt, plural } from './types.js';

/** Evidence shared by the four map rules: the exposure counts and a few first-party paths. */
export function mapEvidence(map: MapFact): Evidence {
  const firstParty = map.sources.filter((s) => !s.info.nodeModules && s.info.display !== '').map((s) => s.info.display);
  const evidence: Evidence = { form: map.form.join('+'), ...map.exposure, examples: examples(firstParty) };
  if (map.summary.kind === 'index-map') evidence.sections = map.summary.sections;
  return evidence;
}

export function exposureMessage(map: MapFact): string {
  const e = map.exposure;
  if (e.sourcesWithContent === 0) return `names ${plural(e.sources, 'source')} (paths and identifier names; no content)`;
  const firstParty = e.firstPartyFiles > 0 ? `${plural(e.firstPartyFiles, 'first-party file')}, ${plural(e.firstPartyLines, 'line')}` : 'no first-party files';
  return `holds the content of ${fmt(e.sourcesWithContent)} of ${plural(e.sources, 'source')}: ${firstParty} recoverable (${plural(e.recoverableLines, 'line')}, ${plural(e.recoverableBytes, 'byte')} in all)`;
}
