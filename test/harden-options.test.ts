import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateKey, KeyError } from '../src/core/key.js';
import { esbuildIsProduction, PillboxOptionsError, resolvePluginOptions, rollupIsProduction, webpackIsProduction } from '../src/core/plugin-options.js';
import { tempDir, writeFiles } from './harden-helpers.js';

const root = tempDir('options');
writeFiles(root, { 'package.json': JSON.stringify({ name: 'app', version: '4.5.6' }) });
const prod = { production: true, projectRoot: root, bundler: 'test', env: {} };
const dev = { ...prod, production: false };

describe('plugin options', () => {
  it('defaults follow production', () => {
    const p = resolvePluginOptions({}, prod);
    expect(p).toMatchObject({ sourcemaps: 'strip', failOnLeak: true, decoys: null, hiddenDir: join(root, '.pillbox/maps'), manifestDir: join(root, '.pillbox/manifests') });
    expect(resolvePluginOptions(undefined, dev)).toMatchObject({ sourcemaps: 'keep', failOnLeak: false, decoys: null });
  });

  it('decoys: {} takes the key from PILLBOX_KEY and the release from package.json', () => {
    const key = generateKey();
    const p = resolvePluginOptions({ decoys: {} }, { ...prod, env: { PILLBOX_KEY: key } });
    expect(p.decoys).toMatchObject({ channel: 'default', release: '4.5.6', count: 16 });
    expect(p.decoys!.key.length).toBe(32);
    // An explicit key wins over the environment.
    const other = generateKey();
    expect(resolvePluginOptions({ decoys: { key: other } }, { ...prod, env: { PILLBOX_KEY: key } }).decoys!.key.equals(resolvePluginOptions({ decoys: {} }, { ...prod, env: { PILLBOX_KEY: other } }).decoys!.key)).toBe(true);
  });

  it('decoys without a key: an error in production, a warning otherwise', () => {
    expect(() => resolvePluginOptions({ decoys: {} }, prod)).toThrow(KeyError);
    expect(() => resolvePluginOptions({ decoys: {} }, prod)).toThrow(/pillbox keygen/);
    const d = resolvePluginOptions({ decoys: {} }, dev);
    expect(d.decoys).toBeNull();
    expect(d.warnings.join()).toMatch(/no key/);
  });

  it('rejects what it cannot honour, without echoing forbidden values', () => {
    expect(() => resolvePluginOptions({ sourcemaps: 'inline' as never }, prod)).toThrow(PillboxOptionsError);
    expect(() => resolvePluginOptions({ sourcemap: 'strip' } as never, prod)).toThrow(/unknown option "sourcemap"/);
    expect(() => resolvePluginOptions({ decoys: { chanel: 'x' } as never }, { ...prod, env: { PILLBOX_KEY: generateKey() } })).toThrow(/decoys\.chanel/);
    expect(() => resolvePluginOptions({ decoys: { channel: '../x' } }, { ...prod, env: { PILLBOX_KEY: generateKey() } })).toThrow(/decoys\.channel/);
    expect(() => resolvePluginOptions({ decoys: { count: 0 } }, { ...prod, env: { PILLBOX_KEY: generateKey() } })).toThrow(/count/);
    expect(() => resolvePluginOptions({ sourcemaps: 'hidden', hiddenDir: 'dist/maps' }, { ...prod, outDir: join(root, 'dist') })).toThrow(/inside the output directory/);
    let message = '';
    try {
      resolvePluginOptions({ forbid: [{ secret: 'internal-codename' } as never] }, prod);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('forbid[0]');
    expect(message).not.toContain('internal-codename');
  });

  it('poison without decoys says it is nosources', () => {
    expect(resolvePluginOptions({ sourcemaps: 'poison' }, prod).warnings.join()).toMatch(/nosources/);
  });

  it('production per bundler', () => {
    expect(rollupIsProduction({ watchMode: false })).toBe(true);
    expect(rollupIsProduction({ watchMode: true })).toBe(false);
    expect(esbuildIsProduction({ minify: true }, {})).toBe(true);
    expect(esbuildIsProduction({}, { NODE_ENV: 'production' })).toBe(true);
    expect(esbuildIsProduction({}, {})).toBe(false);
    expect(webpackIsProduction('development')).toBe(false);
    expect(webpackIsProduction(undefined)).toBe(true);
  });
});
