import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Report } from '../src/core/findings.js';
import { formatReport } from '../src/cli/format/index.js';
import { compareReleases } from '../src/gate/growth.js';
import { cleanEnv, cleanupTemp, cli, tempDir, write } from './gate-helpers.js';

// Every SARIF the release gate produces validates against the SARIF 2.1.0 JSON Schema
// (test/schemas/sarif-2.1.0.json, from Microsoft's SARIF SDK; see test/schemas/README.md).

afterAll(cleanupTemp);

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(require('./schemas/sarif-2.1.0.json') as object);

function problems(sarif: unknown): string[] {
  return validate(sarif) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const leakyMap = { version: 3, sources: ['../src/index.ts'], sourcesContent: ['export const a: number = 1;\n'], names: [], mappings: 'AAAA' };

describe('SARIF 2.1.0 schema', () => {
  it('the validator rejects a broken log (the check can fail)', () => {
    expect(problems({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).not.toEqual([]);
    expect(problems({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: {}, level: 'fatal' }] }] })).not.toEqual([]);
  });

  it('workspace scans (findings in several packages) and the packed-package gate', async () => {
    const dir = write(tempDir('sarif-ws'), {
      'package.json': { name: 'acme', private: true, workspaces: ['packages/*'] },
      'packages/a/package.json': { name: 'a', version: '1.0.0' },
      'packages/a/dist/index.js': 'export const a = 1;\n//# sourceMappingURL=index.js.map\n',
      'packages/a/dist/index.js.map': leakyMap,
      'packages/b/package.json': { name: 'b', version: '1.0.0' },
      'packages/b/src/x.ts': 'export const x = 1;\n',
      'packages/b/lib/y.js': 'export const y = 1;\n//# sourceMappingURL=https://maps.example.com/y.js.map\n',
    });
    const r = await cli(['scan', '--workspaces', '--format', 'sarif'], dir, cleanEnv());
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as { runs: Array<{ results: unknown[] }> };
    expect(log.runs[0].results.length).toBeGreaterThanOrEqual(3);
    expect(problems(log)).toEqual([]);
  });

  it('a scan that could not read everything (exit 2) is still valid SARIF', async () => {
    const dir = write(tempDir('sarif-err'), { 'broken.tgz': 'not a tarball' });
    const r = await cli(['scan', 'broken.tgz', 'missing-dir', '--format', 'sarif'], dir, cleanEnv());
    expect(r.code).toBe(2);
    expect(problems(JSON.parse(r.stdout))).toEqual([]);
  });

  it('release-size-growth findings', () => {
    const growth = compareReleases(
      { name: 'acme', version: '2.0.0', files: [{ path: 'cli.js', size: 9_000_000 }, { path: 'cli.js.map', size: 60_000_000 }] },
      { name: 'acme', version: '1.9.0', files: [{ path: 'cli.js', size: 9_000_000 }] },
      { label: 'npm:acme@2.0.0', display: (p) => `acme-2.0.0.tgz!package/${p}` },
    );
    expect(growth).toHaveLength(2);
    const report: Report = {
      version: 1,
      tool: { name: 'pillbox', version: '0.0.0' },
      targets: [{ target: 'npm:acme@2.0.0', kind: 'npm', files: 2, bytes: 69_000_000 }],
      findings: growth.map((g) => g.finding),
      exposure: { maps: 0, mapsWithContent: 0, sources: 0, sourcesWithContent: 0, recoverableLines: 0, recoverableBytes: 0, firstPartyFiles: 0, firstPartyLines: 0, nodeModulesFiles: 0, topFolders: [], summary: '' },
      errors: [],
    };
    const sarif = JSON.parse(formatReport('sarif', report, { cwd: tempDir('sarif-growth'), failOn: 'medium', color: false }));
    expect(problems(sarif)).toEqual([]);
  });
});
