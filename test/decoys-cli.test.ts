import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { keyId, parseKey } from '../src/core/key.js';
import { APP_DIR, tempDir } from './decoys-helpers.js';

// `pillbox keygen` and `pillbox decoys --explain`, in process.

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd });
  return { code, stdout, stderr };
}

describe('pillbox keygen', () => {
  it('prints a new key and nothing else on stdout, its id on stderr', async () => {
    const a = await run(['keygen']);
    const b = await run(['keygen']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^pbk1_[A-Za-z0-9_-]{43}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
    const key = parseKey(a.stdout);
    expect(a.stderr).toContain(keyId(key));
    expect(a.stderr).not.toContain(a.stdout.trim().slice(5));
  });
});

describe('pillbox decoys --explain', () => {
  const bundle = join(APP_DIR, 'tools.js');

  it('refuses without a key, and says how to make one', async () => {
    const r = await run(['decoys', '--explain', bundle]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no key/);
    expect(r.stderr).toMatch(/pillbox keygen/);
    expect(r.stdout).toBe('');
  });

  it('refuses a malformed key without echoing it', async () => {
    const bad = 'pbk1_' + 'x'.repeat(10);
    const r = await run(['decoys', '--explain', bundle], { PILLBOX_KEY: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(bad);
  });

  it('prints the learned style and the decoy names; --full adds definitions; never the key', async () => {
    const key = (await run(['keygen'])).stdout.trim();
    const names = await run(['decoys', '--explain', bundle], { PILLBOX_KEY: key });
    expect(names.code).toBe(0);
    expect(names.stdout).toMatch(/tools: 3 found; schema key input_schema, snake names/);
    const lines = names.stdout.split('\n').filter((l) => /^\s+(product|channel|release)\s/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(16);
    expect(names.stdout).not.toMatch(/Use this|The call is/);
    const full = await run(['decoys', '--explain', bundle, '--full'], { PILLBOX_KEY: key });
    expect(full.stdout.length).toBeGreaterThan(names.stdout.length);
    // The same key from a file gives the same decoys.
    const dir = tempDir();
    writeFileSync(join(dir, 'key.txt'), key + '\n');
    const fromFile = await run(['decoys', '--explain', bundle, '--key-file', 'key.txt'], {}, dir);
    expect(fromFile.stdout).toBe(names.stdout);
    const json = await run(['decoys', '--explain', bundle, '--json'], { PILLBOX_KEY: key });
    const parsed = JSON.parse(json.stdout) as { style: { tools: { schemaKey: string } }; decoys: Array<{ name: string }> };
    expect(parsed.style.tools.schemaKey).toBe('input_schema');
    expect(parsed.decoys.length).toBe(lines.length);
    for (const out of [names, full, fromFile, json]) {
      expect(out.stdout + out.stderr).not.toContain(key.slice(5));
      expect(out.stdout + out.stderr).not.toContain(parseKey(key).toString('hex'));
    }
  });

  it('fails closed on an unreadable bundle', async () => {
    const key = (await run(['keygen'])).stdout.trim();
    const r = await run(['decoys', '--explain', join(tempDir(), 'missing.js')], { PILLBOX_KEY: key });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read/);
  });
});
