import type { Evidence } from '../../core/findings.js';
import { ExposureCounter } from '../exposure.js';
import type { FileFacts, MapFact } from '../facts.js';
import { examples, plural } from './types.js';

/**
 * The inline maps of one file, taken together: an eval-style bundle carries one per module, and
 * one finding per file (with the count) reads better than hundreds.
 */
export function inlineGroup(file: FileFacts, withContent: boolean): { maps: MapFact[]; evidence: Evidence; summary: string } | undefined {
  const maps = file.inlineMaps.filter((m) => (m.exposure.sourcesWithContent > 0) === withContent);
  if (maps.length === 0) return undefined;
  const counter = new ExposureCounter();
  for (const m of maps) counter.add(m.sources);
  const totals = counter.totals();
  const forms = [...new Set(maps.flatMap((m) => m.form))].join('+');
  const firstParty = maps.flatMap((m) => m.sources.filter((s) => !s.info.nodeModules && s.info.display !== '').map((s) => s.info.display));
  const evidence: Evidence = { form: forms, count: maps.length, ...totals, examples: examples(firstParty) };
  const what = plural(maps.length, 'inline source map');
  const verb = maps.length === 1 ? 'holds' : 'hold';
  const summary = withContent
    ? `${what} (${forms}) ${verb} the content of ${plural(totals.sourcesWithContent, 'source')}: ${plural(totals.firstPartyFiles, 'first-party file')}, ${plural(totals.firstPartyLines, 'line')} recoverable`
    : `${what} (${forms}) ${maps.length === 1 ? 'names' : 'name'} ${plural(totals.sources, 'source')} (no content)`;
  return { maps, evidence, summary };
}
