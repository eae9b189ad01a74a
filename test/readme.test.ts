import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerScan } from '../src/cli/commands/scan.js';
import { CONFIG_KEYS, loadConfig } from '../src/cli/config.js';
import type { CliContext } from '../src/cli/main.js';
import { FINDING_CODES } from '../src/core/codes.js';

// The README's scan sections are checked against the code: every finding code with its
// severity and fix, every scan flag, every config key, and the example config must load.

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The text of a `## heading` section, up to the next `## `. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Rows of the first markdown table in `text`, as trimmed cells (escaped pipes kept inside cells). */
function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((l) => l.trim().startsWith('|'));
  return lines
    .slice(2) // header and separator
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
}

/** Codes of FINDING_CODES that the README table lacks or documents with the wrong severity or fix. */
function codeTableProblems(readme: string): string[] {
  const rows = new Map(tableRows(section(readme, 'Finding codes')).map(([code, severity, , fix]) => [code.replace(/`/g, ''), { severity, fix }]));
  const problems: string[] = [];
  for (const [code, info] of Object.entries(FINDING_CODES)) {
    const row = rows.get(code);
    if (!row) problems.push(`${code}: missing`);
    else if (row.severity !== info.severity) problems.push(`${code}: severity ${row.severity}, expected ${info.severity}`);
    else if (row.fix !== info.fix) problems.push(`${code}: fix differs from src/core/codes.ts`);
  }
  for (const code of rows.keys()) if (!(code in FINDING_CODES)) problems.push(`${code}: not a finding code`);
  return problems;
}

function scanFlags(): string[] {
  const program = new Command('pillbox');
  registerScan(program, {} as CliContext);
  const scan = program.commands.find((c) => c.name() === 'scan')!;
  return scan.options.map((o) => o.long!).filter(Boolean);
}

describe('README: Finding codes', () => {
  it('documents every finding code with its severity and fix', () => {
    expect(codeTableProblems(README)).toEqual([]);
  });

  it('the check fails when a row is missing or wrong', () => {
    const withoutRow = README.replace(/^\| `debug-id` \|.*\n/m, '');
    expect(withoutRow).not.toBe(README);
    expect(codeTableProblems(withoutRow)).toEqual(['debug-id: missing']);
    const wrongSeverity = README.replace(/^(\| `source-url` \| )low/m, '$1high');
    expect(codeTableProblems(wrongSeverity)).toEqual(['source-url: severity high, expected low']);
  });
});

describe('README: Scanning', () => {
  const scanning = section(README, 'Scanning');
  const flagsTable = tableRows(scanning).map(([flag]) => flag);

  it('documents every scan flag in the flags table', () => {
    const flags = scanFlags();
    expect(flags).toEqual(expect.arrayContaining(['--format', '--output', '--fail-on', '--config', '--baseline', '--workspaces', '--compare-previous']));
    for (const flag of flags) {
      expect(flagsTable.some((cell) => cell.startsWith(`\`${flag}`)), flag).toBe(true);
    }
  });

  it('names every format and threshold', () => {
    for (const word of ['text', 'json', 'sarif', 'github', 'critical', 'high', 'medium', 'low', 'none']) expect(scanning).toContain(word);
  });
});

describe('README: Exit codes and Configuration', () => {
  it('lists exit codes 0, 1 and 2', () => {
    const codes = tableRows(section(README, 'Exit codes')).map(([code]) => code);
    expect(codes).toEqual(['`0`', '`1`', '`2`']);
  });

  it('documents every config key', () => {
    const keys = tableRows(section(README, 'Configuration')).map(([key]) => key.replace(/`/g, ''));
    expect(keys).toEqual([...CONFIG_KEYS]);
  });

  it('its example pillbox.config.mjs loads and validates', async () => {
    const example = /```js\n(\/\/ pillbox\.config\.mjs\n[\s\S]*?)```/.exec(section(README, 'Configuration'));
    expect(example).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'pillbox-readme-'));
    try {
      writeFileSync(join(dir, 'pillbox.config.mjs'), example![1]);
      const config = await loadConfig({ cwd: dir });
      expect(config.allow.length).toBeGreaterThan(0);
      expect(config.forbid.map((f) => f.label)).toEqual(config.forbid.map((_, i) => `forbid[${i}]`));
      expect(config.baseline).toBe(join(dir, 'pillbox-baseline.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
