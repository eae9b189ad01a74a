import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import type { Decoy, DecoyParameter, ManifestPlaintext, Placement, Tier } from '../core/decoy-types.js';
import { deriveKey, keyId } from '../core/key.js';
import { VERSION } from '../core/version.js';
import { generateDecoy, tierCounts, vocabularyFor, type Vocabulary } from './generate.js';
import { writeManifest } from '../core/manifest-store.js';
import { checkSegment, manifestPath, readPriorDecoys, sortDecoys } from './manifest.js';
import { shiftMap, type RawMap } from './map-shift.js';
import { fold, NameIndex } from './names.js';
import { applyPlacements, newPlanCache, planChunk, type PlannedPlacement } from './place.js';
import { KeyedStream } from './random.js';
import { ScanBatch, scanChunk, type ScanResult } from './scan.js';
import { learnStyle, type LearnedStyle } from './style.js';

// The decoy engine's entry points: `plantDecoys` for the plugins and `pillbox harden`,
// `explainDecoys` for `pillbox decoys --explain`. See the README section "Decoys".

export interface DecoyChunk {
  fileName: string;
  code: string;
  map?: import('magic-string').SourceMap | object | null;
}

export interface PlantOptions {
  key: Buffer;
  channel: string;
  release: string;
  count?: number;
  /** Absolute. */
  manifestDir: string;
  /** Where warnings go (a manifest sealed with another key, a chunk with no room). Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export interface PlantResult {
  chunks: Array<{ fileName: string; code: string; map?: object | null }>;
  manifestPath: string;
  /** Distinct decoys planted. */
  planted: number;
  /** Names only, for logs. */
  decoyNames: string[];
  /** The same messages that went to onWarning. */
  warnings: string[];
  /** What the manifest at manifestPath holds (sealed there): callers need not read it back. */
  manifest: ManifestPlaintext;
}

export const DEFAULT_COUNT = 16;
const JS_FILE = /\.(?:m|c)?jsx?$/i;

export { learnStyle, scanChunk };
// The decoys bench times the same calls with the scan split and in one piece.
export { setSplitScans } from './scan-split.js';
export type { LearnedStyle, ScanResult };

interface DecoySet {
  /** Every decoy of every tier, shipped, controls and retired. */
  all: Decoy[];
  /** Non-control, non-retired: what ships. */
  shipped: Decoy[];
}

/** Regenerate or read back every tier's decoys for one build. */
export function buildDecoySet(opts: {
  key: Buffer;
  channel: string;
  release: string;
  count: number;
  style: LearnedStyle;
  bundleNames: NameIndex;
  prior?: { product: Decoy[]; channel: Decoy[] };
}): DecoySet {
  const { key, channel, release, style, bundleNames } = opts;
  const vocab: Vocabulary = vocabularyFor(style);
  const counts = tierCounts(key, channel, release, opts.count);
  const decoyNames = new NameIndex();
  const all: Decoy[] = [];
  const rejects = (folded: string) => bundleNames.near(folded) !== undefined || decoyNames.near(folded) !== undefined;
  const remember = (d: Decoy) => {
    all.push(d);
    decoyNames.add(fold(d.name));
  };

  for (const tier of ['product', 'channel', 'release'] as Tier[]) {
    const persisted = tier === 'release' ? [] : (opts.prior?.[tier] ?? []);
    for (const control of [false, true]) {
      const mine = persisted.filter((d) => d.control === control && d.tier === tier);
      // Keep every persisted decoy (retired ones too, so the manifest keeps saying so).
      let active = 0;
      let nextIndex = 0;
      const fresh: Decoy[] = [];
      for (const d of mine) {
        const index = Number(d.id.slice(d.id.lastIndexOf('/') + 1));
        nextIndex = Math.max(nextIndex, index + 1);
        if (!d.retired) {
          const clash = bundleNames.near(fold(d.name));
          if (clash !== undefined) {
            fresh.push({ ...d, retired: { release, reason: 'now collides with a name in the bundle' } });
            continue;
          }
          active++;
        }
        fresh.push(d);
      }
      for (const d of fresh) remember(d);
      const want = counts[tier];
      while (active < want) {
        remember(generateDecoy({ key, tier, channel, release, control, index: nextIndex++, style, vocab, rejects }));
        active++;
      }
    }
  }
  const sorted = sortDecoys(all);
  return { all: sorted, shipped: sorted.filter((d) => !d.control && !d.retired) };
}

function toRawMap(map: DecoyChunk['map']): RawMap | undefined {
  if (!map) return undefined;
  const m = (typeof map === 'string' ? JSON.parse(map) : map) as { mappings?: unknown; toString?: unknown };
  if (typeof m.mappings !== 'string') return undefined;
  // magic-string's SourceMap is a class; copy its own enumerable fields into a plain object.
  return { ...(m as RawMap) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Which decoys go to which chunk: every chunk gets some, larger chunks more, all keyed. */
function assignToChunks(decoys: Decoy[], chunks: Array<{ fileName: string; code: string }>, stream: KeyedStream): Decoy[][] {
  const out: Decoy[][] = chunks.map(() => []);
  if (chunks.length === 0) return out;
  const order = stream.shuffle(decoys);
  const chunkOrder = stream.shuffle(chunks.map((_, i) => i));
  let k = 0;
  for (; k < order.length && k < chunkOrder.length; k++) out[chunkOrder[k]].push(order[k]);
  const total = chunks.reduce((s, c) => s + Math.sqrt(c.code.length), 0);
  for (; k < order.length; k++) {
    let r = (stream.int(1_000_000) / 1_000_000) * total;
    let pick = chunks.length - 1;
    for (let i = 0; i < chunks.length; i++) {
      r -= Math.sqrt(chunks[i].code.length);
      if (r < 0) {
        pick = i;
        break;
      }
    }
    out[pick].push(order[k]);
  }
  // More chunks than decoys: the rest carry a repeat of a keyed pick.
  for (let i = order.length; i < chunkOrder.length; i++) out[chunkOrder[i]].push(stream.pick(order));
  return out;
}

export async function plantDecoys(chunks: DecoyChunk[], options: PlantOptions): Promise<PlantResult> {
  const { key, channel, release } = options;
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new TypeError('plantDecoys: key must be the 32 decoded key bytes');
  checkSegment('channel', channel);
  checkSegment('release', release);
  if (!isAbsolute(options.manifestDir)) throw new TypeError('plantDecoys: manifestDir must be an absolute path');
  const count = options.count ?? DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new RangeError('plantDecoys: count must be an integer from 1 to 1000');
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (options.onWarning) options.onWarning(message);
    else process.emitWarning(message, { type: 'PillboxWarning' });
  };

  const js = chunks
    .map((chunk, index) => ({ chunk, index }))
    .filter(({ chunk }) => JS_FILE.test(chunk.fileName))
    .sort((a, b) => (a.chunk.fileName < b.chunk.fileName ? -1 : a.chunk.fileName > b.chunk.fileName ? 1 : 0));
  // The scans' instances are reused by later builds in this process once placement is planned,
  // the last use of their names. (A throw on the way leaves them to the garbage collector.)
  const batch = new ScanBatch();
  const scans = js.map(({ chunk }) => ({ code: chunk.code, scan: batch.scan(chunk.code) }));
  for (let i = 0; i < js.length; i++) {
    const { confused, failure } = scans[i].scan;
    if (confused) warn(`decoys: ${failure ? failure + ' in' : 'could not follow the syntax of'} ${js[i].chunk.fileName}; nothing placed in it`);
  }
  const style = learnStyle(scans);
  const bundleNames = new NameIndex();
  for (const { scan } of scans) bundleNames.addAll(scan.names);

  const prior = readPriorDecoys(options.manifestDir, key, channel);
  for (const w of prior.warnings) warn(w);
  const set = buildDecoySet({ key, channel, release, count, style, bundleNames, prior });

  // Placement, keyed per build (channel, release) and by the chunks themselves.
  const placeKey = deriveKey(key, `pillbox/v1/decoys/placement/${encodeURIComponent(channel)}/${encodeURIComponent(release)}`);
  // Chunk identity for the keyed streams: name and size (hashing megabytes of code per build
  // would cost more than the rest of placement; the build key already varies per release).
  const chunkTag = js.map(({ chunk }) => String(chunk.code.length));
  const fingerprint = sha256(js.map(({ chunk }, i) => `${chunk.fileName}\0${chunkTag[i]}`).join('\n'));
  const assignStream = new KeyedStream(placeKey, `assign/${fingerprint}`);
  const assigned = assignToChunks(set.shipped, js.map(({ chunk }) => chunk), assignStream);

  const plans: PlannedPlacement[][] = js.map(() => []);
  // Later passes over a chunk try some of the same hosts and the same sites again.
  const planCaches = js.map(() => newPlanCache());
  /** Place what it can of `decoys` in chunk i; returns the ones it could not. */
  const tryPlace = (i: number, decoys: Decoy[], pass: string, allowUnsafe: boolean): Decoy[] => {
    const have = new Set(plans[i].map((p) => p.decoy.id));
    const todo = decoys.filter((d) => !have.has(d.id));
    if (todo.length === 0) return decoys;
    const stream = new KeyedStream(placeKey, `${pass}/${js[i].chunk.fileName}/${chunkTag[i]}`);
    const extra = planChunk(js[i].chunk.code, scans[i].scan, todo, style, stream, { allowUnsafe, usedOffsets: new Set(plans[i].map((p) => p.offset)), cache: planCaches[i] });
    plans[i].push(...extra);
    const placed = new Set(extra.map((p) => p.decoy.id));
    return decoys.filter((d) => !placed.has(d.id));
  };
  let leftovers: Decoy[] = [];
  for (let i = 0; i < js.length; i++) leftovers.push(...tryPlace(i, assigned[i], 'chunk', false));
  // Chunks with too few safe places hand their decoys to the others, largest first; only then
  // are hosts a minifier might inline used at all.
  const bySize = js.map((_, i) => i).sort((a, b) => js[b].chunk.code.length - js[a].chunk.code.length || a - b);
  for (const allowUnsafe of [false, true]) {
    for (const i of bySize) {
      if (leftovers.length === 0) break;
      leftovers = tryPlace(i, leftovers, allowUnsafe ? 'fallback' : 'extra', allowUnsafe);
    }
  }
  const placedIds = new Set(plans.flat().map((p) => p.decoy.id));
  const unplaced = set.shipped.filter((d) => !placedIds.has(d.id));
  if (unplaced.length > 0) warn(`decoys: ${unplaced.length} of ${set.shipped.length} decoys found no place in the output (too little code)`);
  batch.release();

  const outChunks: PlantResult['chunks'] = chunks.map((c) => ({ fileName: c.fileName, code: c.code, ...(c.map !== undefined ? { map: c.map as object | null } : {}) }));
  const placements: Placement[] = [];
  for (let i = 0; i < js.length; i++) {
    const { chunk, index } = js[i];
    const list = plans[i];
    if (list.length === 0) continue;
    const code = applyPlacements(chunk.code, list);
    const raw = toRawMap(chunk.map);
    const map = raw ? shiftMap(raw, chunk.code, code, list.map((p) => ({ offset: p.offset, text: p.text }))) : chunk.map;
    outChunks[index] = { fileName: chunk.fileName, code, ...(map !== undefined ? { map: map as object | null } : {}) };
    for (const p of list) placements.push({ decoyId: p.decoy.id, file: chunk.fileName, form: `${p.site}/${p.guard}` });
  }
  placements.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.decoyId < b.decoyId ? -1 : a.decoyId > b.decoyId ? 1 : 0));

  const plain: ManifestPlaintext = {
    format: 'pillbox-manifest/v1',
    keyId: keyId(key),
    channel,
    release,
    generator: VERSION,
    style,
    decoys: set.all,
    placements,
  };
  const path = manifestPath(options.manifestDir, channel, release);
  writeManifest(path, key, plain);
  const names = [...new Set(set.shipped.filter((d) => placedIds.has(d.id)).map((d) => d.name))].sort();
  return { chunks: outChunks, manifestPath: path, planted: names.length, decoyNames: names, warnings, manifest: plain };
}

export interface ExplainedDecoy {
  id: string;
  tier: Tier;
  kind: 'tool' | 'flag';
  name: string;
  entropyBits: number;
  description?: string;
  parameters?: DecoyParameter[];
  required?: string[];
}

/** The learned style of `code` and, given a key, the decoys a build of it would ship (no manifests read). */
export function explainDecoys(
  code: string,
  options: { key?: Buffer; channel?: string; release?: string; count?: number } = {},
): { style: LearnedStyle; decoys: ExplainedDecoy[] } {
  const scan = scanChunk(code);
  const style = learnStyle([{ code, scan }]);
  if (!options.key) return { style, decoys: [] };
  const bundleNames = new NameIndex();
  bundleNames.addAll(scan.names);
  const set = buildDecoySet({
    key: options.key,
    channel: options.channel ?? 'default',
    release: options.release ?? '0.0.0',
    count: options.count ?? DEFAULT_COUNT,
    style,
    bundleNames,
  });
  const decoys = set.shipped.map((d): ExplainedDecoy => {
    const base = { id: d.id, tier: d.tier, kind: d.kind, name: d.name, entropyBits: d.entropyBits };
    return d.kind === 'tool' ? { ...base, description: d.description, parameters: d.parameters, required: d.required } : base;
  });
  return { style, decoys };
}
