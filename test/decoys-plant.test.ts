import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { SourceMapConsumer, type RawSourceMap } from 'source-map';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decoy, ManifestPlaintext } from '../src/core/decoy-types.js';
import { keyId } from '../src/core/key.js';
import { ManifestError, openManifest } from '../src/core/manifest-envelope.js';
import { explainDecoys, plantDecoys, type PlantResult } from '../src/decoys/index.js';
import { buildWithEsbuild, mappingSpans, mappingsOf, OTHER_KEY, tempDir, TEST_KEY, type Build } from './decoys-helpers.js';

// plantDecoys end to end: determinism, persistence across releases, retirement, foreign
// manifests, the key never leaking, source maps, and what the decoys look like.

let esm: Build;
let cjsWithMap: Build;

beforeAll(async () => {
  esm = await buildWithEsbuild('esm', true);
  cjsWithMap = await buildWithEsbuild('cjs', false, true);
});

const plant = (build: Build, manifestDir: string, release: string, extra: { channel?: string; key?: Buffer; count?: number } = {}) => {
  const warnings: string[] = [];
  return plantDecoys(build.files, {
    key: extra.key ?? TEST_KEY,
    channel: extra.channel ?? 'npm',
    release,
    count: extra.count,
    manifestDir,
    onWarning: (w) => warnings.push(w),
  }).then((r) => ({ ...r, seen: warnings }));
};

function manifestOf(result: PlantResult, key = TEST_KEY): ManifestPlaintext {
  return openManifest<ManifestPlaintext>(key, JSON.parse(readFileSync(result.manifestPath, 'utf8')));
}

const shippedOf = (m: ManifestPlaintext, tier: Decoy['tier']) =>
  m.decoys
    .filter((d) => d.tier === tier && !d.control && !d.retired)
    .map((d) => d.name)
    .sort();

describe('determinism', () => {
  it('gives byte-identical chunks and manifests for the same key, input and manifests', async () => {
    const a = await plant(esm, join(tempDir(), 'm'), '1.0.0');
    const b = await plant(esm, join(tempDir(), 'm'), '1.0.0');
    expect(b.chunks).toEqual(a.chunks);
    expect(readFileSync(b.manifestPath, 'utf8')).toBe(readFileSync(a.manifestPath, 'utf8'));
    // Building again over its own manifest is a fixed point.
    const dir = join(tempDir(), 'm');
    const first = await plant(esm, dir, '1.0.0');
    const firstManifest = readFileSync(first.manifestPath, 'utf8');
    const again = await plant(esm, dir, '1.0.0');
    expect(again.chunks).toEqual(first.chunks);
    expect(readFileSync(again.manifestPath, 'utf8')).toBe(firstManifest);
    expect(first.chunks).toEqual(a.chunks);
  });

  it('differs with another key', async () => {
    const a = await plant(esm, join(tempDir(), 'm'), '1.0.0');
    const b = await plant(esm, join(tempDir(), 'm'), '1.0.0', { key: OTHER_KEY });
    expect(b.decoyNames.filter((n) => a.decoyNames.includes(n))).toEqual([]);
  });
});

describe('tiers and persistence', () => {
  it('keeps product and channel decoys across releases, and changes release decoys and placement', async () => {
    const dir = join(tempDir(), 'm');
    const r1 = await plant(esm, dir, '1.0.0');
    const r2 = await plant(esm, dir, '1.1.0');
    const m1 = manifestOf(r1);
    const m2 = manifestOf(r2);
    expect(shippedOf(m2, 'product')).toEqual(shippedOf(m1, 'product'));
    expect(shippedOf(m2, 'channel')).toEqual(shippedOf(m1, 'channel'));
    expect(shippedOf(m2, 'release').some((n) => shippedOf(m1, 'release').includes(n))).toBe(false);
    // Controls persist with their tier too.
    const controls = (m: ManifestPlaintext) => m.decoys.filter((d) => d.control && d.tier !== 'release').map((d) => d.name).sort();
    expect(controls(m2)).toEqual(controls(m1));
    // Placement is keyed per build: the same product decoys sit elsewhere.
    expect(r2.chunks.map((c) => c.code)).not.toEqual(r1.chunks.map((c) => c.code));
    // Another channel shares the product tier only.
    const e1 = manifestOf(await plant(esm, dir, '1.0.0', { channel: 'enterprise' }));
    expect(shippedOf(e1, 'product')).toEqual(shippedOf(m1, 'product'));
    expect(shippedOf(e1, 'channel').some((n) => shippedOf(m1, 'channel').includes(n))).toBe(false);
  });

  it('every shipped decoy and every control is in the manifest with its tier and entropy; controls never ship', async () => {
    const r = await plant(esm, join(tempDir(), 'm'), '2.0.0');
    const m = manifestOf(r);
    expect(m.keyId).toBe(keyId(TEST_KEY));
    expect(m.channel).toBe('npm');
    expect(m.release).toBe('2.0.0');
    const shipped = m.decoys.filter((d) => !d.control);
    const controls = m.decoys.filter((d) => d.control);
    expect(shipped.length).toBeGreaterThanOrEqual(16);
    expect(shipped.length).toBeLessThanOrEqual(19);
    for (const tier of ['product', 'channel', 'release'] as const) {
      expect(controls.filter((d) => d.tier === tier).length).toBe(shipped.filter((d) => d.tier === tier).length);
    }
    for (const d of m.decoys) expect(d.entropyBits, d.id).toBeGreaterThanOrEqual(32);
    const all = r.chunks.map((c) => c.code).join('\n');
    for (const d of shipped) expect(all, d.name).toContain(d.name);
    for (const d of controls) expect(all, d.name).not.toContain(d.name);
    expect([...r.decoyNames].sort()).toEqual(shipped.map((d) => d.name).sort());
    expect(new Set(m.placements.map((p) => p.decoyId))).toEqual(new Set(shipped.map((d) => d.id)));
  });

  it('retires a persisted decoy that now collides (or nearly) with a real name, and says so', async () => {
    const dir = join(tempDir(), 'm');
    const r1 = await plant(esm, dir, '1.0.0');
    const m1 = manifestOf(r1);
    const [exact, near] = m1.decoys.filter((d) => d.tier === 'product' && !d.control);
    // The next release of the product really has these names (one a near miss: one letter off).
    const nearName = near.name.slice(0, -1) + (near.name.endsWith('s') ? 'x' : 's');
    const changed: Build = {
      ...esm,
      files: esm.files.map((f) => (f.fileName === 'main.js' ? { ...f, code: f.code + `\nexport const labels = [${JSON.stringify(exact.name)}, ${JSON.stringify(nearName)}];\n` } : f)),
    };
    const r2 = await plant(changed, dir, '1.1.0');
    const m2 = manifestOf(r2);
    for (const old of [exact, near]) {
      const now = m2.decoys.find((d) => d.id === old.id)!;
      expect(now.retired?.release).toBe('1.1.0');
      expect(now.retired?.reason).toMatch(/collides/);
      expect(r2.decoyNames).not.toContain(old.name);
      expect(m2.placements.some((p) => p.decoyId === old.id)).toBe(false);
    }
    // Replaced: the product tier ships as many as before, two of them new.
    expect(shippedOf(m2, 'product').length).toBe(shippedOf(m1, 'product').length);
    expect(shippedOf(m2, 'product').filter((n) => !shippedOf(m1, 'product').includes(n)).length).toBe(2);
    // And the retirement persists into later releases, even when the collision is gone.
    const m3 = manifestOf(await plant(esm, dir, '1.2.0'));
    expect(m3.decoys.find((d) => d.id === exact.id)?.retired?.release).toBe('1.1.0');
    expect(shippedOf(m3, 'product')).toEqual(shippedOf(m2, 'product'));
  });
});

describe('manifests from elsewhere', () => {
  it('ignores a manifest sealed with another key, with a warning', async () => {
    const dir = join(tempDir(), 'm');
    await plant(esm, dir, '0.9.0', { key: OTHER_KEY });
    const withForeign = await plant(esm, dir, '1.0.0');
    expect(withForeign.seen.some((w) => w.includes('another key') && w.includes(keyId(OTHER_KEY)))).toBe(true);
    expect(withForeign.warnings).toEqual(withForeign.seen);
    const fresh = await plant(esm, join(tempDir(), 'm'), '1.0.0');
    expect(withForeign.chunks).toEqual(fresh.chunks);
  });

  it('fails closed on a manifest sealed with this key that does not open', async () => {
    const dir = join(tempDir(), 'm');
    const r = await plant(esm, dir, '1.0.0');
    const env = JSON.parse(readFileSync(r.manifestPath, 'utf8'));
    env.data = env.data.slice(0, -4) + (env.data.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    writeFileSync(r.manifestPath, JSON.stringify(env));
    await expect(plant(esm, dir, '1.1.0')).rejects.toThrow(ManifestError);
  });
});

describe('the key never leaks', () => {
  it('is absent, in every encoding, from chunks, maps, manifests, names and warnings', async () => {
    const dir = join(tempDir(), 'm');
    await plant(esm, dir, '0.9.0', { key: OTHER_KEY });
    const r = await plant(cjsWithMap, dir, '1.0.0');
    const forms = [TEST_KEY.toString('base64'), TEST_KEY.toString('base64url'), TEST_KEY.toString('hex'), 'pbk1_' + TEST_KEY.toString('base64url')];
    // Partial forms too: no 12-character window of any encoding.
    const windows = forms.flatMap((f) => Array.from({ length: f.length - 11 }, (_, i) => f.slice(i, i + 12)));
    const texts = [
      ...r.chunks.map((c) => c.code),
      ...r.chunks.map((c) => JSON.stringify(c.map ?? null)),
      ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')),
      JSON.stringify(manifestOf(r)),
      r.decoyNames.join('\n'),
      r.warnings.join('\n'),
    ];
    for (const text of texts) for (const w of windows) expect(text.includes(w)).toBe(false);
  });
});

describe('source maps', () => {
  it.each(['readable', 'minified'])('%s: every original mapping still resolves to the same original position; decoys map to nothing', async (kind) => {
    const build = kind === 'readable' ? cjsWithMap : await buildWithEsbuild('cjs', true, true);
    const file = build.files[0];
    expect(file.map).toBeDefined();
    const r = await plant(build, join(tempDir(), 'm'), '1.0.0');
    const out = r.chunks[0];
    expect(out.code).not.toBe(file.code);
    // Each mapping's span: its text up to the next mapping on its line (an insertion adds a
    // mapping, so a span in the new code is the old span or a piece of it).
    const before = mappingSpans(file.code, await mappingsOf(file.map as object), 200);
    const expected = new Map<string, string[]>();
    for (const m of before) if (m.key) expected.set(m.key, [...(expected.get(m.key) ?? []), m.text]);
    const oldCount = before.filter((m) => m.key).length;
    let newCount = 0;
    for (const m of mappingSpans(out.code, await mappingsOf(out.map as object), 200)) {
      if (!m.key) continue;
      newCount++;
      expect(expected.get(m.key)?.some((t) => t.includes(m.text)), `${m.key} ${m.text}`).toBe(true);
    }
    await SourceMapConsumer.with(out.map as RawSourceMap, null, (c) => {
      for (const name of r.decoyNames) {
        const at = out.code.indexOf(name);
        const line = out.code.slice(0, at).split('\n').length;
        const column = at - (out.code.lastIndexOf('\n', at) + 1);
        expect(c.originalPositionFor({ line, column }).source, name).toBeNull();
      }
    });
    expect(newCount).toBeGreaterThanOrEqual(oldCount);
  });
});

/** Identifiers and strings of a bundle by a full acorn parse: independent of the byte scanner. */
function bundleNames(code: string): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Identifier' || n.type === 'PrivateIdentifier') names.push(n.name as string);
    if (n.type === 'Literal' && typeof n.value === 'string') names.push(n.value);
    if (n.type === 'TemplateElement') names.push((n.value as { cooked: string }).cooked ?? '');
    for (const [k, v] of Object.entries(n)) if (k !== 'type' && typeof v === 'object') visit(v);
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  return names;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
const foldName = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

describe('believable', () => {
  it('shares no constant prefix, looks like no secret, and nears no real name nor another decoy', async () => {
    const r = await plant(esm, join(tempDir(), 'm'), '1.0.0');
    const m = manifestOf(r);
    const names = m.decoys.map((d) => d.name);
    const lcp = names.reduce((p, n) => {
      let i = 0;
      while (i < p.length && p[i] === n[i]) i++;
      return p.slice(0, i);
    });
    expect(lcp.length).toBeLessThan(3);
    for (const d of m.decoys) {
      const texts = [d.name, ...(d.kind === 'tool' ? [d.description, ...d.parameters.flatMap((p) => [p.name, p.description, ...(p.enum ?? [])])] : [])];
      for (const t of texts) {
        expect(t).not.toMatch(/\b(sk|pk)-|AKIA|ASIA|gh[pousr]_|xox[abprs]-/);
        expect(t).not.toMatch(/[0-9a-fA-F]{16,}/);
        expect(t).not.toMatch(/[A-Za-z0-9+/]{32,}/);
      }
      expect(d.name).toMatch(/^[a-z]+(_[a-z]+){3,}$/);
    }
    const real = [...new Set(esm.files.flatMap((f) => bundleNames(f.code)).map(foldName))].filter((n) => n.length >= 8);
    const folded = names.map(foldName);
    for (const n of folded) {
      for (const other of real) if (Math.abs(other.length - n.length) <= 2) expect(distance(n, other), `${n} ~ ${other}`).toBeGreaterThan(2);
    }
    for (let i = 0; i < folded.length; i++) for (let j = i + 1; j < folded.length; j++) expect(distance(folded[i], folded[j])).toBeGreaterThan(2);
  });

  it('follows the style of the bundle: schema key, name case, mcp prefixes, flag codename', async () => {
    const tools = ['readNotebookCell', 'searchWorkspaceSymbols', 'listOpenEditors', 'getTerminalOutput', 'runTaskByLabel', 'openDiffView']
      .map((n, i) => `{name:${JSON.stringify(i % 2 ? 'mcp__ide__' + n : n)},description:"Reads the thing and returns it to the caller quickly.",inputSchema:{type:"object",properties:{uri:{type:"string",description:"The uri."}},required:["uri"]}}`)
      .join(',');
    const flags = ['tengu_amber_wisp', 'tengu_frond_boric', 'tengu_kairos_cron', 'tengu_scratch_pad', 'tengu_grey_step'].map((f) => `q(${JSON.stringify(f)},!1)`).join(',');
    const code = `export const registry=[${tools}];export function flagsOn(q){return[${flags}]}export function pick(items,fn){return items.map(function(x){return fn(x)}).filter(function(v){return v!==null})}`;
    // More snake-case strings go to Error() than to the flag getter, but they share no prefix.
    const errors = Array.from({ length: 12 }, (_, i) => `Error(${JSON.stringify(['invalid', 'missing', 'stale', 'broken'][i % 4] + '_input_' + 'abcdefghijkl'[i])})`).join(',');
    const { style, decoys } = explainDecoys(`${code}export function fail(){return[${errors}]}`, { key: TEST_KEY, count: 24 });
    expect(style.tools.schemaKey).toBe('inputSchema');
    expect(style.tools.nameCase).toBe('camel');
    expect(style.tools.prefixes).toEqual(['mcp__ide__']);
    expect(style.flags.prefix).toBe('tengu');
    expect(style.flags.getter).toBe('q');
    const toolNames = decoys.filter((d) => d.kind === 'tool').map((d) => d.name);
    const flagNames = decoys.filter((d) => d.kind === 'flag').map((d) => d.name);
    expect(toolNames.length).toBeGreaterThan(0);
    expect(flagNames.length).toBeGreaterThan(0);
    for (const n of toolNames) expect(n.replace(/^mcp__ide__/, '')).toMatch(/^[a-z]+([A-Z][a-z]+){3,}$/);
    for (const n of flagNames) expect(n).toMatch(/^tengu_[a-z]+(_[a-z]+){3,}$/);
    // Planted, the tool decoys carry the bundle's own schema key.
    const r = await plantDecoys([{ fileName: 'cli.js', code }], { key: TEST_KEY, channel: 'npm', release: '1.0.0', manifestDir: join(tempDir(), 'm'), count: 4, onWarning: () => {} });
    const toolDecoy = manifestOf(r).decoys.find((d) => d.kind === 'tool' && !d.control && r.chunks[0].code.includes(d.name));
    if (toolDecoy) expect(r.chunks[0].code).toMatch(new RegExp(`name:"${toolDecoy.name}",description:"[^"]+",inputSchema:`));
  });

  it('uses the built-in vocabulary when the bundle has no tools or flags', () => {
    const { style, decoys } = explainDecoys('export function f(a){return [a].map(function(x){return x*2})}', { key: TEST_KEY });
    expect(style.tools.found).toBe(0);
    expect(style.flags.found).toBe(0);
    expect(decoys.length).toBeGreaterThanOrEqual(16);
    expect(decoys.every((d) => /^[a-z]+(_[a-z]+){3,}$/.test(d.name))).toBe(true);
  });
});

describe('counts', () => {
  it('varies the total by key (count..count+3) and honours count', async () => {
    const totals = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const key = Buffer.alloc(32, i + 1);
      const n = explainDecoys('export function f(a){return a}', { key }).decoys.length;
      expect(n).toBeGreaterThanOrEqual(16);
      expect(n).toBeLessThanOrEqual(19);
      totals.add(n);
    }
    expect(totals.size).toBeGreaterThan(1);
    const r = await plant(esm, join(tempDir(), 'm'), '1.0.0', { count: 6 });
    expect(r.planted).toBeGreaterThanOrEqual(6);
    expect(r.planted).toBeLessThanOrEqual(9);
  });

  it('refuses a bad call', async () => {
    await expect(plantDecoys(esm.files, { key: TEST_KEY, channel: '../x', release: '1', manifestDir: tempDir() })).rejects.toThrow(/file name/);
    await expect(plantDecoys(esm.files, { key: TEST_KEY, channel: 'npm', release: '1', manifestDir: 'relative/dir' })).rejects.toThrow(/absolute/);
    await expect(plantDecoys(esm.files, { key: Buffer.alloc(8), channel: 'npm', release: '1', manifestDir: tempDir() })).rejects.toThrow(/32/);
    rmSync(tempDir(), { recursive: true, force: true });
  });
});
