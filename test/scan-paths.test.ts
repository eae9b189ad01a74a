import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeSource } from '../src/scan/paths.js';

// describeSource takes a short cut for plain relative paths (most of `sources`): it must say
// what the full path does. A `#fragment` sends the same path through the full path (the
// fragment is cut before anything else is looked at).
describe('describeSource', () => {
  const segment = fc.constantFrom('src', 'lib', '..', '.', 'node_modules', 'a b', 'ünï', 'x.ts', '...', 'pkg', '');
  const plain = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')).filter((p) => p !== '' && !p.startsWith('/'));

  it('gives plain relative paths the same description as the general rules do', () => {
    fc.assert(
      fc.property(plain, fc.constantFrom(undefined, '', 'src', 'webpack://app/'), (path, root) => {
        const fast = describeSource(path, root);
        const full = describeSource(path + '#f', root);
        expect({ ...fast, raw: null, full: '' }).toEqual({ ...full, raw: null, full: '' });
      }),
      { numRuns: 500 },
    );
  });

  it('examples', () => {
    expect(describeSource('../src/utils/a.ts', undefined)).toMatchObject({ display: 'src/utils/a.ts', folder: 'src/utils', nodeModules: false, remote: false });
    expect(describeSource('../node_modules/x/index.js', undefined)).toMatchObject({ display: 'node_modules/x/index.js', nodeModules: true });
    expect(describeSource('/home/me/app/src/a.ts', undefined)).toMatchObject({ local: 'home', folder: 'app/src' });
  });
});
