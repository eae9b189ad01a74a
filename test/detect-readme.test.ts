import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDetect } from '../src/cli/commands/detect.js';
import type { CliContext } from '../src/cli/main.js';
import { DEFAULT_THRESHOLD } from '../src/detect/detect.js';
import { DETECT_FORMATS, toSarif } from '../src/detect/format.js';
import { REFERENCE } from '../src/detect/reference.js';
import { MAX_LOCATIONS } from '../src/detect/search.js';
import { MAX_GAP } from '../src/detect/stream-matcher.js';

// The README's Detect section is checked against the code: every flag, every format, every
// SARIF rule, the default threshold and the numbers it quotes.

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const start = README.indexOf('\n## Detect\n');
const section = README.slice(start, README.indexOf('\n## ', start + 5));

describe('README: Detect', () => {
  it('documents every flag and format', () => {
    const program = new Command('pillbox');
    registerDetect(program, {} as CliContext);
    const detect = program.commands.find((c) => c.name() === 'detect')!;
    for (const flag of detect.options.map((o) => o.long!)) expect(section, flag).toContain(flag);
    for (const format of DETECT_FORMATS) expect(section, format).toContain(`\`${format}\``);
    expect(section).toContain(`default \`${DEFAULT_THRESHOLD.toExponential()}\``);
  });

  it('names every SARIF rule', () => {
    const rules = toSarif({
      version: 1,
      tool: { name: 'pillbox', version: '0' },
      keyId: '0',
      threshold: 1e-6,
      inputs: [],
      manifests: [],
      search: { bytes: 0, tokens: 0, candidates: 0, controlsSearched: 0, controlsFound: 0, reference: REFERENCE, controlRate: 1 },
      scopesTested: 0,
      scopes: [],
      controlHits: [],
      significant: false,
      warnings: [],
      errors: [],
    }).runs[0].tool.driver.rules!.map((r) => r.id);
    expect(rules.length).toBe(4);
    for (const id of rules) expect(section, id).toContain(`\`${id}\``);
  });

  it('quotes the numbers the code uses', () => {
    expect(section).toContain(`${MAX_GAP} bytes`);
    expect(section).toContain(`at most ${MAX_LOCATIONS} locations`);
    const decoys = /(\d[\d,]*) decoys from (\d+) random keys/.exec(REFERENCE.corpus)!;
    const thousands = (n: string) => n.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    expect(section).toContain(`${thousands(decoys[1])} decoys from ${decoys[2]} random keys`);
  });
});
