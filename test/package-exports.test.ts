import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The built package must load with import and require() on the Node this machine runs,
// and require('pillbox/<bundler>') must return the factory itself.
const ADAPTERS = ['rollup', 'vite', 'rolldown', 'esbuild', 'webpack', 'rspack'];
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
}

describe('package exports', () => {
  it('lists types first in every condition', () => {
    for (const [sub, target] of Object.entries<any>(pkg.exports)) {
      if (typeof target === 'string') continue;
      for (const cond of ['import', 'require']) {
        expect(Object.keys(target[cond])[0], `${sub} ${cond}`).toBe('types');
      }
    }
  });

  it('loads the API with require() and import', () => {
    expect(node(['-e', "process.stdout.write(typeof require('pillbox').keyId)"])).toBe('function');
    expect(node(['--input-type=module', '-e', "import { keyId } from 'pillbox'; process.stdout.write(typeof keyId)"])).toBe('function');
  });

  it.each(ADAPTERS)('require("pillbox/%s") is the factory itself, and import gives the same default', (name) => {
    expect(node(['-e', `process.stdout.write(typeof require('pillbox/${name}'))`])).toBe('function');
    expect(node(['--input-type=module', '-e', `import f from 'pillbox/${name}'; process.stdout.write(typeof f)`])).toBe('function');
  });

  it('ships no source maps of its own', () => {
    expect(pkg.files).toContain('!dist/**/*.map');
  });
});
