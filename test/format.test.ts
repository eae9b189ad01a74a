import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithub } from '../src/cli/format/github.js';
import { formatReport, redactReport } from '../src/cli/format/index.js';
import { toSarif } from '../src/cli/format/sarif.js';
import { evidenceSummary } from '../src/cli/format/shared.js';
import { formatText } from '../src/cli/format/text.js';
import { ERROR_CODES, FINDING_CODES } from '../src/core/codes.js';
import type { Finding, Report } from '../src/core/findings.js';
import { leakedFragments, validateReport, validateSarif } from './format-helpers.js';

// Pure formatting checks on hand-built reports. What the engine actually reports is covered by
// the CLI tests (test/cli-*.test.ts), which run the real engine on packages built by real tools.

const require = createRequire(import.meta.url);
const schema = require('../schema/report.schema.json');

const mapFinding: Finding = {
  code: 'source-map-with-content',
  severity: 'critical',
  path: 'acme-agent-cli-2.1.88.tgz!package/dist/cli.js.map',
  message: 'dist/cli.js.map ships 4,756 original sources in sourcesContent.',
  evidence: {
    form: 'file',
    sources: 4756,
    sourcesWithContent: 4756,
    recoverableLines: 512000,
    recoverableBytes: 18_200_000,
    firstPartyFiles: 1900,
    firstPartyLines: 480000,
    nodeModulesFiles: 2856,
    topFolders: [{ folder: 'src/tools', files: 120, lines: 40000 }],
  },
  fingerprint: 'a1b2c3d4e5f6a7b8a1b2c3d4e5f6a7b8',
};
const danglingFinding: Finding = {
  code: 'dangling-reference',
  severity: 'medium',
  path: 'dist/cli.js',
  message: 'A sourceMappingURL comment points at cli.js.map, which is not shipped.',
  evidence: { url: 'cli.js.map', status: 'dangling' },
  fingerprint: 'ffeeddccbbaa99887766554433221100',
  line: 3,
  column: 1,
};

function report(overrides: Partial<Report> = {}): Report {
  return {
    version: 1,
    tool: { name: 'pillbox', version: '0.1.0' },
    targets: [{ target: 'acme-agent-cli-2.1.88.tgz', kind: 'tarball', files: 3, bytes: 120000 }],
    findings: [danglingFinding, mapFinding],
    suppressed: { allowed: 1, baseline: 0 },
    exposure: {
      maps: 1,
      mapsWithContent: 1,
      sources: 4756,
      sourcesWithContent: 4756,
      recoverableLines: 512000,
      recoverableBytes: 18_200_000,
      firstPartyFiles: 1900,
      firstPartyLines: 480000,
      nodeModulesFiles: 2856,
      topFolders: [{ folder: 'src/tools', files: 120, lines: 40000 }],
      summary: '1 map exposes 1,900 first-party files, 480,000 lines',
    },
    errors: [],
    ...overrides,
  };
}

const scanError = { path: 'broken.tgz', code: 'corrupt-archive', message: 'gzip stream ends early (truncated) after 1,024 bytes' };
const options = { cwd: tmpdir(), failOn: 'high' as const };

describe('json format and the report schema', () => {
  it('prints the report as is, and the schema accepts it', () => {
    const r = report({ errors: [scanError] });
    const printed = formatReport('json', r, options);
    expect(JSON.parse(printed)).toEqual(r);
    expect(validateReport(JSON.parse(printed))).toEqual([]);
  });

  it('rejects what the pinned shape does not allow', () => {
    expect(validateReport({ ...report(), extra: 1 })).not.toEqual([]);
    expect(validateReport({ ...report(), version: 2 })).not.toEqual([]);
    expect(validateReport(report({ findings: [{ ...mapFinding, code: 'not-a-code' }] }))).not.toEqual([]);
    expect(validateReport(report({ findings: [{ ...mapFinding, severity: 'severe' as never }] }))).not.toEqual([]);
    const { fingerprint: _, ...noFingerprint } = mapFinding;
    expect(validateReport(report({ findings: [noFingerprint as Finding] }))).not.toEqual([]);
    expect(validateReport(report({ errors: [{ ...scanError, code: 'oops' }] }))).not.toEqual([]);
    expect(validateReport(report({ findings: [{ ...mapFinding, evidence: { ...mapFinding.evidence, rule: 'the secret itself' } }] }))).not.toEqual([]);
  });

  it('lists exactly the finding and error codes of src/core/codes.ts', () => {
    expect(schema.$defs.findingCode.enum).toEqual(Object.keys(FINDING_CODES));
    expect(schema.$defs.errorCode.enum).toEqual(Object.keys(ERROR_CODES));
  });
});

describe('text format', () => {
  it('groups by severity, worst first, with code, path, message, evidence, fix and exposure', () => {
    const text = formatText(report(), options);
    const critical = text.indexOf('CRITICAL (1)');
    const medium = text.indexOf('MEDIUM (1)');
    expect(critical).toBeGreaterThan(0);
    expect(medium).toBeGreaterThan(critical);
    expect(text).toContain('source-map-with-content  acme-agent-cli-2.1.88.tgz!package/dist/cli.js.map');
    expect(text).toContain('dangling-reference  dist/cli.js:3:1');
    expect(text).toContain(mapFinding.message);
    expect(text).toContain('4,756 sources, 4,756 with content, 512,000 lines (18.2 MB)');
    expect(text).toContain('first-party 1,900 files, 480,000 lines');
    expect(text).toContain(`fix: ${FINDING_CODES['source-map-with-content'].fix}`);
    expect(text).toContain(`fix: ${FINDING_CODES['dangling-reference'].fix}`);
    expect(text).toContain('Exposure: 1 map exposes 1,900 first-party files, 480,000 lines');
    expect(text).toContain('Suppressed: 1 allowed by config, 0 in the baseline');
    expect(text).not.toContain('\x1b[');
  });

  it('closes with a verdict judged against the threshold', () => {
    const last = (failOn: 'critical' | 'high' | 'medium' | 'low' | 'none', r = report()) => formatText(r, { ...options, failOn }).trimEnd().split('\n').pop();
    expect(last('high')).toBe('FAIL: 1 finding at or above --fail-on high (1 critical)');
    expect(last('medium')).toBe('FAIL: 2 findings at or above --fail-on medium (1 critical, 1 medium)');
    expect(last('none')).toBe('PASS: nothing at or above the threshold (--fail-on none) (2 findings below it: 1 critical, 1 medium)');
    expect(last('high', report({ findings: [danglingFinding] }))).toBe('PASS: nothing at or above --fail-on high (1 finding below it: 1 medium)');
    expect(last('none', report({ errors: [scanError] }))).toMatch(/^INCOMPLETE: 1 error — this is not a pass/);
  });

  it('lists errors prominently, before the findings', () => {
    const text = formatText(report({ errors: [scanError, { ...scanError, path: 'x.tgz' }] }), options);
    const banner = text.indexOf('scan incomplete: 2 errors — this is not a pass');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(text.indexOf('CRITICAL'));
    expect(text).toContain('corrupt-archive broken.tgz: gzip stream ends early');
  });

  it('says so when nothing was found, and colours only when asked', () => {
    const clean = report({ findings: [], suppressed: { allowed: 0, baseline: 0 } });
    const text = formatText(clean, options);
    expect(text).toContain('No leaks found.');
    expect(text).not.toContain('Suppressed');
    expect(formatText(report(), { ...options, color: true })).toContain('\x1b[31m');
  });
});

describe('evidence summary', () => {
  it('says what the evidence holds, in words', () => {
    expect(evidenceSummary({ rule: 'forbid[2]', where: 'sourcesContent[3]', count: 2 })).toBe('matched forbid[2]; in sourcesContent[3]; 2 occurrences');
    expect(evidenceSummary({ url: 'https://maps.example.com/x.map', status: 'remote' })).toBe('reference remote https://maps.example.com/x.map');
    expect(evidenceSummary({ sources: 1, sourcesWithContent: 0 })).toBe('1 source, 0 with content');
    expect(evidenceSummary({})).toBe('');
  });
});

describe('sarif format', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('validates against the official SARIF 2.1.0 schema, with a rule for every code', () => {
    const log = JSON.parse(formatReport('sarif', report(), options)) as Log;
    expect(validateSarif(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('pillbox');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(driver.rules!.map((r) => r.id)).toEqual(Object.keys(FINDING_CODES));
    for (const rule of driver.rules!) {
      const info = FINDING_CODES[rule.id as keyof typeof FINDING_CODES];
      expect(rule.shortDescription!.text).toBe(info.title);
      expect(rule.help!.text).toBe(info.fix);
      const level = { critical: 'error', high: 'error', medium: 'warning', low: 'note' }[info.severity];
      expect(rule.defaultConfiguration!.level).toBe(level);
    }
    expect(log.runs[0].invocations![0].executionSuccessful).toBe(true);
  });

  it('maps severities to levels and keeps fingerprints, rule indexes and regions', () => {
    const low: Finding = { ...danglingFinding, code: 'debug-id', severity: 'low', fingerprint: '0123456789abcdef0123456789abcdef' };
    const run = toSarif(report({ findings: [mapFinding, danglingFinding, low] }), options).runs[0];
    expect(run.results!.map((r) => r.level)).toEqual(['error', 'warning', 'note']);
    expect(run.results!.map((r) => r.ruleId)).toEqual(['source-map-with-content', 'dangling-reference', 'debug-id']);
    for (const r of run.results!) expect(run.tool.driver.rules![r.ruleIndex!].id).toBe(r.ruleId);
    expect(run.results![0].partialFingerprints).toEqual({ 'pillbox/v1': mapFinding.fingerprint });
    expect(run.results![1].locations![0].physicalLocation!.region).toEqual({ startLine: 3, startColumn: 1 });
    expect(run.results![0].locations![0].physicalLocation!.region).toBeUndefined();
  });

  it('uses the path inside the package for archives', () => {
    const loc = toSarif(report({ findings: [mapFinding] }), options).runs[0].results![0].locations![0];
    expect(loc.physicalLocation!.artifactLocation).toEqual({ uri: 'dist/cli.js.map' });
    expect(loc.logicalLocations![0].fullyQualifiedName).toBe(mapFinding.path);
  });

  it('uses repository-relative URIs (SRCROOT) for files inside the git repository, in-package paths otherwise', () => {
    const repo = realpathSync(mkdtempSync(join(tmpdir(), 'pillbox-sarif-repo-')));
    dirs.push(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    mkdirSync(join(repo, 'packages/app/dist'), { recursive: true });
    writeFileSync(join(repo, 'packages/app/dist/cli.js'), 'x');
    const cwd = join(repo, 'packages/app');
    const inRepo = report({ targets: [{ target: 'dist', kind: 'directory', files: 1, bytes: 1 }], findings: [{ ...danglingFinding, path: 'cli.js' }] });
    const log = toSarif(inRepo, { ...options, cwd });
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0].results![0].locations![0].physicalLocation!.artifactLocation).toEqual({ uri: 'packages/app/dist/cli.js', uriBaseId: 'SRCROOT' });
    expect(log.runs[0].originalUriBaseIds).toEqual({ SRCROOT: { description: { text: expect.stringMatching(/root of the git repository/) } } });
    expect(JSON.stringify(log)).not.toContain(repo);

    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'pillbox-sarif-plain-')));
    dirs.push(outside);
    mkdirSync(join(outside, 'dist'));
    writeFileSync(join(outside, 'dist/cli.js'), 'x');
    const plain = toSarif(inRepo, { ...options, cwd: outside });
    expect(plain.runs[0].results![0].locations![0].physicalLocation!.artifactLocation).toEqual({ uri: 'cli.js' });
    expect(plain.runs[0].originalUriBaseIds).toBeUndefined();
  });

  it('reports errors as tool execution notifications and an unsuccessful execution', () => {
    const log = toSarif(report({ errors: [scanError] }), options);
    expect(validateSarif(log)).toEqual([]);
    const invocation = log.runs[0].invocations![0];
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      expect.objectContaining({ level: 'error', descriptor: { id: 'corrupt-archive' }, message: { text: `broken.tgz: ${scanError.message}` } }),
    ]);
  });

  it('fails schema validation when a result is malformed (the validator can fail)', () => {
    const log = toSarif(report(), options) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    log.runs[0].results[0].level = 'fatal';
    expect(validateSarif(log)).not.toEqual([]);
  });
});

describe('github format', () => {
  it('escapes data and properties as the runner expects', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('escaping is reversible and leaves no separator unescaped, for any string', () => {
    const unescape = (t: string) => t.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const prop = escapeProperty(text);
        const data = escapeData(text);
        expect(prop).not.toMatch(/[\r\n:,]/);
        expect(data).not.toMatch(/[\r\n]/);
        expect(unescape(prop)).toBe(text);
        expect(unescape(data.replace(/:/g, '%3A').replace(/,/g, '%2C'))).toBe(text);
      }),
    );
  });

  it('emits one annotation per finding, by severity, with file, line and title, and a verdict', () => {
    const low: Finding = { ...danglingFinding, code: 'debug-id', severity: 'low', path: 'dist/a,b:c.js', line: undefined, column: undefined };
    const lines = formatGithub(report({ findings: [mapFinding, danglingFinding, low] }), options).trimEnd().split('\n');
    // Commas and colons are escaped in properties only; the message keeps them.
    expect(lines[0].startsWith('::error file=dist/cli.js.map,title=source-map-with-content::[critical] dist/cli.js.map ships 4,756 original')).toBe(true);
    expect(lines[0]).toContain('%0AFix: ');
    expect(lines[1]).toMatch(/^::warning file=dist\/cli\.js,line=3,col=1,title=dangling-reference::\[medium\] /);
    expect(lines[2]).toMatch(/^::notice file=dist\/a%2Cb%3Ac\.js,title=debug-id::/);
    expect(lines[3]).toMatch(/^::error title=pillbox::FAIL: 1 finding at or above --fail-on high/);
    for (const line of lines) expect(line).not.toMatch(/[\r]/);
  });

  it('reports scan errors as error annotations', () => {
    const out = formatGithub(report({ findings: [], errors: [scanError] }), options);
    expect(out).toContain('::error title=pillbox corrupt-archive::scan incomplete — broken.tgz: gzip stream ends early');
    expect(out.trimEnd().split('\n').pop()).toMatch(/^::error title=pillbox::INCOMPLETE/);
  });
});

describe('redaction (the last line of defence)', () => {
  const SECRET = 'Zq9HushKestrelWomb';
  const leaky = (): Report =>
    report({
      findings: [
        {
          ...mapFinding,
          message: `found ${SECRET} in the map`,
          path: `pkg.tgz!package/${SECRET}/x.js`,
          evidence: { ...mapFinding.evidence, examples: [`src/${SECRET}.ts`], [SECRET]: 1, topFolders: [{ folder: `src/internal_eval_harness`, files: 1, lines: 2 }] },
        },
      ],
      errors: [{ path: 'x', code: 'unreadable', message: `cannot read ${SECRET}` }],
    });
  const forbid = [
    { label: 'forbid[0]', pattern: SECRET },
    { label: 'forbid[1]', pattern: /internal_[a-z]+_harness/ },
  ];

  it('replaces every match, keys included, with the name of the config entry, and leaves fingerprints alone', () => {
    const safe = redactReport(leaky(), forbid);
    const json = JSON.stringify(safe);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain('internal_eval_harness');
    expect(safe.findings[0].message).toBe('found [redacted: forbid[0]] in the map');
    expect(safe.findings[0].evidence.topFolders![0].folder).toBe('src/[redacted: forbid[1]]');
    expect(safe.findings[0].fingerprint).toBe(mapFinding.fingerprint);
  });

  it('leaves no fragment of a forbidden string in any format', () => {
    const safe = redactReport(leaky(), forbid);
    for (const format of ['text', 'json', 'sarif', 'github'] as const) {
      const out = formatReport(format, safe, options);
      expect(leakedFragments(out, SECRET), format).toEqual([]);
    }
  });

  it('redacts anything shaped like a decoy key', () => {
    const key = 'pbk1_' + 'Ab3_'.repeat(10) + 'xyz';
    const safe = redactReport(report({ errors: [{ path: 'k', code: 'unreadable', message: `saw ${key}` }] }), []);
    expect(safe.errors[0].message).toBe('saw [redacted key]');
  });
});
