import { createRequire } from 'node:module';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cleanEnv, cleanupTemp, REPO, run, sharedPillboxTool, tempDir, write } from './gate-helpers.js';

// action.yml: checked against SchemaStore's GitHub Action schema (via @action-validator/core),
// and its shell steps run here the way the runner runs them (bash -eo pipefail, inputs through
// the environment, GITHUB_OUTPUT) against a package that has this pillbox installed. The
// upload step (github/codeql-action) cannot run here: we check what it would be given.

// Real package managers on a busy 2-core machine: generous limits (timings are never asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

afterAll(cleanupTemp);

const require = createRequire(import.meta.url);
const ACTION_TEXT = readFileSync(join(REPO, 'action.yml'), 'utf8');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}
const action = parseYaml(ACTION_TEXT) as Action;

describe('action.yml against the GitHub Action metadata schema', () => {
  it('is valid', () => {
    expect(validateAction(ACTION_TEXT).errors).toEqual([]);
  });

  it('the check catches a broken action', () => {
    expect(validateAction(ACTION_TEXT.replace('shell: bash', 'shel: bash')).errors).not.toEqual([]);
    expect(validateAction(ACTION_TEXT.replace("    value: ${{ steps.scan.outputs.exit-code }}\n", '')).errors).not.toEqual([]);
  });
});

describe('docs/ci workflow examples', () => {
  for (const file of ['github-workflow.yml', 'github-publish.yml', 'github-audit.yml']) {
    it(`${file} is a valid GitHub workflow`, () => {
      expect(validateWorkflow(readFileSync(join(REPO, 'docs/ci', file), 'utf8')).errors).toEqual([]);
    });
  }

  it('the workflow check can fail, and the GitLab example is YAML with a script', () => {
    expect(validateWorkflow('on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    step: []\n').errors).not.toEqual([]);
    const gitlab = parseYaml(readFileSync(join(REPO, 'docs/ci/gitlab-ci.yml'), 'utf8')) as { pillbox: { script: string[] } };
    expect(gitlab.pillbox.script).toContain('npx --no-install pillbox scan --format sarif --output pillbox.sarif || status=$?');
  });
});

/** `${{ inputs.x }}` and `${{ steps.id.outputs.y }}`; anything else is a test failure. */
function evaluate(text: string, inputs: Record<string, string>, outputs: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1]] ?? '';
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (output) return outputs[output[1]]?.[output[2]] ?? '';
    throw new Error(`expression not supported by this test: ${expr}`);
  });
}

interface ActionRun {
  outputs: Record<string, Record<string, string>>;
  logs: string;
  /** Exit code of the first failing step, 0 if none failed. */
  failed: number;
  upload?: Record<string, string>;
}

async function runAction(workspace: string, given: Record<string, string>): Promise<ActionRun> {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? '']));
  const outputs: Record<string, Record<string, string>> = {};
  let logs = '';
  let failed = 0;
  let upload: Record<string, string> | undefined;
  for (const step of action.runs.steps) {
    if (step.uses) {
      // `if: always() && inputs.upload-sarif == 'true' && steps.scan.outputs.sarif-file != ''`
      expect(step.if).toContain('always()');
      if (inputs['upload-sarif'] === 'true' && outputs.scan?.['sarif-file']) {
        upload = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(v, inputs, outputs)]));
      }
      continue;
    }
    if (failed) break;
    const outputFile = join(tempDir('gh-output'), 'output');
    writeFileSync(outputFile, '');
    const env = cleanEnv({
      GITHUB_OUTPUT: outputFile,
      GITHUB_ACTIONS: 'true',
      // npx must use the installed pillbox and never the network.
      npm_config_offline: 'true',
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, inputs, outputs)])),
    });
    const cwd = join(workspace, evaluate(step['working-directory'] ?? '.', inputs, outputs));
    const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], cwd, env);
    logs += r.stdout + r.stderr;
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    }
    if (r.code !== 0) failed = r.code;
  }
  return { outputs, logs, failed, upload };
}

describe('the action, run as the runner would', () => {
  let repo: string;
  const sarifValidator = () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (require('ajv-formats') as typeof import('ajv-formats').default)(ajv);
    return ajv.compile(require('./schemas/sarif-2.1.0.json') as object);
  };

  beforeAll(() => {
    // A repository whose package lives in pkg/ (working-directory), with pillbox installed.
    repo = write(tempDir('action'), {
      'pkg/package.json': { name: 'acme-web', version: '1.0.0', files: ['dist'], devDependencies: { pillbox: '*' } },
      'pkg/dist/app.js': 'export const app = 1;\n//# sourceMappingURL=app.js.map\n',
      'pkg/dist/app.js.map': { version: 3, sources: ['../src/app.ts'], sourcesContent: ['export const app: number = 1;\n'], names: [], mappings: 'AAAA' },
    });
    // As if installed: npx finds pillbox in the package's own node_modules.
    symlinkSync(join(sharedPillboxTool(), 'node_modules'), join(repo, 'pkg', 'node_modules'));
  });

  it('a leaking package: SARIF written and handed to the upload, annotations, the job fails', async () => {
    const result = await runAction(repo, { 'working-directory': 'pkg' });
    expect(result.outputs.scan['exit-code']).toBe('1');
    expect(result.failed).toBe(1);
    const sarifPath = result.outputs.scan['sarif-file'];
    expect(sarifPath).toBe(join(repo, 'pkg', 'pillbox.sarif'));
    expect(result.upload).toEqual({ sarif_file: sarifPath, category: 'pillbox' });
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results.map((r) => r.ruleId)).toContain('source-map-with-content');
    expect(result.logs).toMatch(/::error file=[^,]*dist\/app\.js\.map,title=source-map-with-content::/);
    expect(result.logs).toContain('::error title=pillbox::findings at or above high');
  });

  it('scans once: the SARIF file and the annotations come from the same run', () => {
    const script = action.runs.steps.find((s) => s.id === 'scan')!.run!;
    expect(script.match(/"\$\{pillbox\[@\]\}" scan /g)).toHaveLength(1);
    expect(script).toContain('args+=(--annotate)');
  });

  it('a given path and a lower threshold; no upload when turned off', async () => {
    write(repo, { 'pkg/clean/index.js': 'export const ok = true;\n' });
    const clean = await runAction(repo, { 'working-directory': 'pkg', path: 'clean', 'upload-sarif': 'false', 'fail-on': 'low' });
    expect(clean.outputs.scan['exit-code']).toBe('0');
    expect(clean.failed).toBe(0);
    expect(clean.upload).toBeUndefined();
    expect(clean.logs).toContain('pillbox: nothing at or above low');
  });

  it('without pillbox installed it fails (exit 2) and downloads nothing', async () => {
    const bare = write(tempDir('action-bare'), { 'package.json': { name: 'bare', version: '1.0.0' }, 'index.js': '' });
    const result = await runAction(bare, {});
    expect(result.failed).toBe(2);
    expect(result.logs).toContain('::error title=pillbox::pillbox is not installed here');
    expect(result.outputs.scan).toEqual({});
  });

  it('a target that cannot be read fails the job with exit 2 (not a pass)', async () => {
    const broken = await runAction(repo, { 'working-directory': 'pkg', path: 'no-such-dir', annotate: 'false' });
    expect(broken.outputs.scan['exit-code']).toBe('2');
    expect(broken.failed).toBe(2);
    expect(existsSync(broken.outputs.scan['sarif-file'])).toBe(true);
  });
});
