import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readBaseline } from '../src/cli/config.js';

const dirs: string[] = [];
function project(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pillbox-config-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function configError(cwd: string, configPath?: string): Promise<ConfigError> {
  const err = await loadConfig({ cwd, configPath }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

// A value that must never be echoed by any error message.
const SECRET = 'Zq9HushKestrelWomb';

describe('loadConfig: where the config comes from', () => {
  it('gives the defaults when there is no config and no package.json', async () => {
    const cwd = project({});
    expect(await loadConfig({ cwd })).toEqual({ failOn: 'high', allow: [], forbid: [] });
  });

  it('reads package.json#pillbox and resolves the baseline from the package root', async () => {
    const cwd = project({
      'package.json': { name: 'x', pillbox: { failOn: 'medium', allow: [{ path: 'dist/**/*.map', code: 'source-map', reason: 'maps without content are fine here' }], baseline: 'reports/base.json' } },
    });
    const config = await loadConfig({ cwd });
    expect(config.failOn).toBe('medium');
    expect(config.allow).toEqual([{ path: 'dist/**/*.map', code: 'source-map', reason: 'maps without content are fine here' }]);
    expect(config.baseline).toBe(join(cwd, 'reports/base.json'));
    expect(config.source).toBe('package.json#pillbox');
  });

  it('rejects forbid in package.json (it would ship) without echoing its value', async () => {
    const cwd = project({ 'package.json': { name: 'x', pillbox: { forbid: [SECRET] } } });
    const err = await configError(cwd);
    expect(err.message).toContain('package.json#pillbox.forbid');
    expect(err.message).toMatch(/ship|publish/);
    expect(err.message).not.toContain(SECRET);
    expect(err.code).toBe('bad-config');
  });

  it('rejects forbid in package.json even when a config file replaces the rest (package.json still ships)', async () => {
    const cwd = project({ 'package.json': { name: 'x', pillbox: { forbid: [SECRET] } }, 'pillbox.config.json': { failOn: 'low' } });
    expect((await configError(cwd)).message).toContain('package.json#pillbox.forbid');
  });

  it('refuses a --config file of another kind', async () => {
    const cwd = project({ 'pillbox.yaml': 'failOn: low\n' });
    expect((await configError(cwd, 'pillbox.yaml')).message).toBe('pillbox.yaml: a config file is .json, .mjs or .js');
  });

  it('lets a config file replace package.json#pillbox entirely', async () => {
    const cwd = project({
      'package.json': { name: 'x', pillbox: { failOn: 'low', baseline: 'old.json' } },
      'pillbox.config.json': { allow: [{ path: 'dist/a.js', reason: 'vendored' }] },
    });
    const config = await loadConfig({ cwd });
    expect(config.failOn).toBe('high');
    expect(config.baseline).toBeUndefined();
    expect(config.allow).toHaveLength(1);
    expect(config.source).toBe('pillbox.config.json');
  });

  it('reads pillbox.config.mjs with RegExp objects and "/regex/flags" strings, labelled forbid[i]', async () => {
    const cwd = project({
      'pillbox.config.mjs': `export default { failOn: 'critical', forbid: ['${SECRET}', /internal_[a-z]+_harness/i, '/kestrel_(undercover|buddy)/'] };\n`,
    });
    const config = await loadConfig({ cwd });
    expect(config.failOn).toBe('critical');
    expect(config.forbid.map((f) => f.label)).toEqual(['forbid[0]', 'forbid[1]', 'forbid[2]']);
    expect(config.forbid[0].pattern).toBe(SECRET);
    const [, second, third] = config.forbid.map((f) => f.pattern);
    expect(second).toBeInstanceOf(RegExp);
    expect((second as RegExp).test('INTERNAL_EVAL_HARNESS')).toBe(true);
    expect(third).toBeInstanceOf(RegExp);
    expect((third as RegExp).test('const kestrel_buddy = 1')).toBe(true);
    expect((third as RegExp).test('kestrel_voice')).toBe(false);
  });

  it('reads pillbox.config.js as ESM in a module package and as CommonJS otherwise', async () => {
    const esm = project({ 'package.json': { type: 'module' }, 'pillbox.config.js': `export default { failOn: 'low' };\n` });
    expect((await loadConfig({ cwd: esm })).failOn).toBe('low');
    const cjs = project({ 'package.json': { name: 'c' }, 'pillbox.config.js': `module.exports = { failOn: 'none', forbid: [/x{3}y/] };\n` });
    const config = await loadConfig({ cwd: cjs });
    expect(config.failOn).toBe('none');
    expect(config.forbid[0].pattern).toBeInstanceOf(RegExp);
  });

  it('uses --config FILE, resolving its baseline from the file, and ignores the others', async () => {
    const cwd = project({
      'pillbox.config.json': { failOn: 'low' },
      'ci/strict.json': { failOn: 'medium', baseline: 'base.json' },
    });
    const config = await loadConfig({ cwd, configPath: 'ci/strict.json' });
    expect(config.failOn).toBe('medium');
    expect(config.baseline).toBe(join(cwd, 'ci/base.json'));
    expect(config.source).toBe('ci/strict.json');
  });

  it('refuses a --config file that does not exist, and two config files at once', async () => {
    expect((await configError(project({}), 'nope.json')).message).toContain('nope.json');
    const two = project({ 'pillbox.config.json': {}, 'pillbox.config.mjs': 'export default {};\n' });
    expect((await configError(two)).message).toMatch(/pillbox\.config\.json and pillbox\.config\.mjs/);
  });
});

describe('loadConfig: strict validation names the file and the key', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['an unknown key', { failOn: 'high', ignore: ['x'] }, /pillbox\.config\.json: ignore: unknown key/],
    ['a bad failOn', { failOn: 'severe' }, /failOn: must be one of critical, high, medium, low, none/],
    ['failOn of the wrong type', { failOn: 3 }, /failOn: must be one of/],
    ['allow that is not an array', { allow: { path: 'x' } }, /allow: must be an array/],
    ['an allow without a reason', { allow: [{ path: 'dist/**' }] }, /allow\[0\]\.reason: required/],
    ['an allow with an empty reason', { allow: [{ path: 'dist/**', reason: '  ' }] }, /allow\[0\]\.reason: required/],
    ['an allow with an unknown code', { allow: [{ path: 'a', code: 'nope', reason: 'r' }] }, /allow\[0\]\.code: must be a finding code/],
    ['an allow with an unknown key', { allow: [{ path: 'a', reason: 'r', why: 'x' }] }, /allow\[0\]\.why: unknown key/],
    ['an unclosed bracket glob', { allow: [{ path: 'dist/[abc', reason: 'r' }] }, /allow\[0\]\.path: invalid glob/],
    ['an unclosed brace glob', { allow: [{ path: 'dist/{a,b', reason: 'r' }] }, /allow\[0\]\.path: invalid glob/],
    ['an absolute glob', { allow: [{ path: '/etc/**', reason: 'r' }] }, /allow\[0\]\.path: must be relative/],
    ['a glob leaving the package', { allow: [{ path: '../x/**', reason: 'r' }] }, /allow\[0\]\.path: must stay inside/],
    ['forbid that is not an array', { forbid: 'x' }, /forbid: must be an array/],
    ['a non-string forbid entry', { forbid: ['ok', 42] }, /forbid\[1\]: must be a string/],
    ['an empty forbid entry', { forbid: [''] }, /forbid\[0\]: must not be empty/],
    ['a baseline that is not a string', { baseline: true }, /baseline: must be the path/],
  ];
  for (const [what, content, message] of cases) {
    it(`rejects ${what}`, async () => {
      const err = await configError(project({ 'pillbox.config.json': content }));
      expect(err.message).toMatch(message);
      expect(err.message.startsWith('pillbox.config.json: ')).toBe(true);
    });
  }

  it('rejects a bad regex by its label, never echoing the pattern', async () => {
    const err = await configError(project({ 'pillbox.config.json': { forbid: ['fine', `/(${SECRET}/`] } }));
    expect(err.message).toBe('pillbox.config.json: forbid[1]: invalid regular expression');
  });

  it('rejects regexes that match everything, sticky regexes and unknown flags', async () => {
    expect((await configError(project({ 'pillbox.config.json': { forbid: ['/a*/'] } }))).message).toMatch(/forbid\[0\]: .*empty string/);
    expect((await configError(project({ 'pillbox.config.json': { forbid: ['/abc/x'] } }))).message).toMatch(/forbid\[0\]: unsupported regular expression flag "x"/);
    expect((await configError(project({ 'pillbox.config.mjs': 'export default { forbid: [/abc/y] };\n' }))).message).toMatch(/forbid\[0\]: .*sticky/);
  });

  it('rejects RegExp-shaped values only .mjs/.js can hold when they come from JSON as objects', async () => {
    expect((await configError(project({ 'pillbox.config.json': { forbid: [{}] } }))).message).toMatch(/forbid\[0\]: must be a string/);
  });

  it('never reads a decoy key from a config file, and says where keys come from', async () => {
    const key = 'pbk1_' + 'A'.repeat(43);
    for (const field of ['key', 'decoys']) {
      const err = await configError(project({ 'pillbox.config.json': { [field]: key } }));
      expect(err.message).toContain(`pillbox.config.json: ${field}: a decoy key is never read from a config file`);
      expect(err.message).toMatch(/PILLBOX_KEY/);
      expect(err.message).toMatch(/--key-file/);
      expect(err.message).not.toContain(key);
    }
  });

  it('reports invalid JSON by position only (V8 messages can quote the text)', async () => {
    const err = await configError(project({ 'pillbox.config.json': `{\n  "forbid": ["${SECRET}" "other"]\n}\n` }));
    expect(err.message).toMatch(/^pillbox\.config\.json: invalid JSON at line 2, column \d+$/);
    expect(err.message).not.toContain(SECRET);
  });

  it('reports a config module that fails to load by the error kind only', async () => {
    const err = await configError(project({ 'pillbox.config.mjs': `export default { forbid: ['${SECRET}' '${SECRET}'] };\n` }));
    // The kind is SyntaxError under plain Node (vitest loads modules through its own transformer).
    expect(err.message).toMatch(/^pillbox\.config\.mjs: cannot load \(\w+\); run `node pillbox.config.mjs`/);
    expect(err.message).not.toContain(SECRET);
  });

  it('requires a default export that is an object', async () => {
    expect((await configError(project({ 'pillbox.config.mjs': 'export const failOn = "low";\n' }))).message).toMatch(/default export/);
    expect((await configError(project({ 'pillbox.config.mjs': 'export default ["low"];\n' }))).message).toMatch(/must be an object/);
  });
});

describe('readBaseline', () => {
  it('returns the fingerprints of a previous JSON report', () => {
    const dir = project({ 'base.json': { version: 1, findings: [{ fingerprint: 'aa11' }, { fingerprint: 'bb22' }], errors: [] } });
    expect([...readBaseline(join(dir, 'base.json'))]).toEqual(['aa11', 'bb22']);
  });

  it('fails closed on a missing, non-JSON or non-report baseline', () => {
    const dir = project({ 'text.json': 'not json', 'other.json': { findings: 'x' }, 'nofp.json': { version: 1, findings: [{}] } });
    expect(() => readBaseline(join(dir, 'missing.json'), 'missing.json')).toThrow(/missing\.json: cannot read the baseline report \(ENOENT\)/);
    expect(() => readBaseline(join(dir, 'text.json'))).toThrow(/not JSON/);
    expect(() => readBaseline(join(dir, 'other.json'))).toThrow(/not a pillbox JSON report/);
    expect(() => readBaseline(join(dir, 'nofp.json'))).toThrow(/findings\[0\] has no fingerprint/);
  });
});
