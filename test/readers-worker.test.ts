import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../src/scan/readers/index.js';
import { WORKER_MIN_COMPRESSED_BYTES } from '../src/scan/readers/archive-bytes.js';
import {
  gunzipInWorker,
  setWorkerZlibStreamForTest,
  terminateGunzipWorker,
  workerJobStatsForTest,
  workerJobsStarted,
  type GunzipBatch,
  type WorkerGunzipOptions,
} from '../src/scan/readers/gunzip-worker.js';
import { codes, drain, tempDir } from './readers-helpers.js';

// Archives of at least WORKER_MIN_COMPRESSED_BYTES are decompressed on the shared worker thread
// (src/scan/readers/gunzip-worker.ts). These archives hold random bytes, which do not compress,
// so each is over that size and takes the worker path; the same bytes gunzipped in one piece by
// zlib are the reference.

const { dir: root, cleanup } = tempDir('readers-worker');
const at = (name: string) => join(root, name);

async function tarOf(files: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const f of files) pack.entry({ name: `package/${f.name}`, size: f.data.length }, f.data);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const files = [
  { name: 'package.json', data: Buffer.from('{"name":"big","version":"1.0.0"}\n') },
  { name: 'vendor/a.bin', data: randomBytes(900 * 1024) },
  { name: 'dist/index.js', data: Buffer.from('console.log(1);\n'.repeat(20_000)) },
  { name: 'vendor/b.bin', data: randomBytes(700 * 1024) },
];
let tgz: Buffer;

beforeAll(async () => {
  tgz = gzipSync(await tarOf(files));
  expect(tgz.length).toBeGreaterThanOrEqual(WORKER_MIN_COMPRESSED_BYTES);
  writeFileSync(at('big.tgz'), tgz);
});
afterAll(cleanup);

describe('decompression on the worker thread', () => {
  // First in this file, so the worker is still starting when it is stopped.
  it('decompresses in-thread when the worker stops before sending anything', async () => {
    const before = workerJobsStarted();
    const reader = await openTarget('big.tgz', { cwd: root });
    const iterator = reader.entries()[Symbol.asyncIterator]();
    const first = iterator.next();
    while (workerJobsStarted() === before) await new Promise((resolve) => setImmediate(resolve));
    await terminateGunzipWorker();
    const entries = [];
    for (let step = await first; !step.done; step = await iterator.next()) entries.push(await step.value.read());
    expect(reader.errors).toEqual([]);
    expect(entries.map((b) => b.length)).toEqual(files.map((f) => f.data.length));
    entries.forEach((b, i) => expect(b.equals(files[i].data)).toBe(true));
  });

});

// zlib runs on the worker's thread in a loop of its own; Node's zlib stream is the fallback for
// a Node whose zlib internals differ. Both paths take every test below.
describe.each([
  ['zlib in the worker’s own loop', false],
  ['zlib as a stream on the worker (the fallback)', true],
])('decompression on the worker thread: %s', (_, stream) => {
  beforeAll(() => setWorkerZlibStreamForTest(stream));
  afterAll(() => setWorkerZlibStreamForTest(false));

  it('fails closed (unreadable) when the worker stops mid-archive', async () => {
    // More than the worker may read ahead (32 MiB), so it is certainly mid-archive, waiting for
    // the consumer, when it is stopped.
    const zeros = { name: 'zeros.bin', data: Buffer.alloc(40 * 1024 * 1024) };
    writeFileSync(at('long.tgz'), gzipSync(await tarOf([...files, zeros])));
    const reader = await openTarget('long.tgz', { cwd: root });
    const read: string[] = [];
    for await (const entry of reader.entries()) {
      try {
        await entry.read();
        read.push(entry.packagePath);
      } catch {
        // recorded in reader.errors
      }
      if (read.length === 1) await terminateGunzipWorker();
    }
    expect(reader.errors.map((e) => e.code)).toEqual(['unreadable']);
    expect(reader.errors[0].message).toContain('decompression worker');
    expect(read).not.toContain('zeros.bin');
  });

  it('delivers every entry byte for byte', async () => {
    const before = workerJobsStarted();
    const d = await drain(await openTarget('big.tgz', { cwd: root }));
    expect(workerJobsStarted()).toBe(before + 1);
    expect(d.errors).toEqual([]);
    expect(d.entries.map((e) => e.packagePath)).toEqual(files.map((f) => f.name));
    d.entries.forEach((e, i) => expect(e.bytes?.equals(files[i].data), e.packagePath).toBe(true));
  });

  it('reads several archives at once through the one worker', async () => {
    writeFileSync(at('big2.tgz'), tgz);
    const before = workerJobsStarted();
    const results = await Promise.all(['big.tgz', 'big2.tgz', 'big.tgz'].map(async (name) => drain(await openTarget(name, { cwd: root }))));
    expect(workerJobsStarted()).toBe(before + 3);
    for (const d of results) {
      expect(d.errors).toEqual([]);
      expect(d.entries.map((e) => e.bytes?.length)).toEqual(files.map((f) => f.data.length));
    }
  });

  it('reports a truncated archive as corrupt, keeping what came before', async () => {
    writeFileSync(at('cut.tgz'), tgz.subarray(0, tgz.length - 300 * 1024));
    const d = await drain(await openTarget('cut.tgz', { cwd: root }));
    expect(codes(d)).toEqual(['corrupt-archive']);
    expect(d.errors[0].message).toMatch(/gzip data is corrupt or truncated .*\(Z_BUF_ERROR\)/);
    expect(d.entries[0].bytes?.equals(files[0].data)).toBe(true);
  });

  it('reports corrupt deflate data with zlib’s code', async () => {
    const bad = Buffer.from(tgz);
    // Inside the random (stored) data: zlib notices at the end, by the CRC, after sending most of it.
    for (let i = 1100 * 1024; i < 1100 * 1024 + 64; i++) bad[i] ^= 0xff;
    for (let i = 400 * 1024; i < 400 * 1024 + 64; i++) bad[i] ^= 0xff;
    writeFileSync(at('bad.tgz'), bad);
    const d = await drain(await openTarget('bad.tgz', { cwd: root }));
    expect(codes(d)).toEqual(['corrupt-archive']);
    expect(d.errors[0].message).toMatch(/\(Z_[A-Z_]+\)/);
  });

  it('applies the compression-ratio guard to what the worker decompresses', async () => {
    const zeros = { name: 'zeros.bin', data: Buffer.alloc(24 * 1024 * 1024) };
    writeFileSync(at('ratio.tgz'), gzipSync(await tarOf([...files, zeros])));
    const d = await drain(await openTarget('ratio.tgz', { cwd: root, limits: { maxCompressionRatio: 4 } }), false);
    expect(codes(d)).toEqual(['too-large']);
    expect(d.errors[0].message).toContain('maxCompressionRatio');
    expect(d.entries.find((e) => e.packagePath === 'zeros.bin')?.failed).toBe('ReadFailure');
  });

  it('stops cleanly when the consumer stops early, and the next archive still reads', async () => {
    const reader = await openTarget('big.tgz', { cwd: root });
    for await (const entry of reader.entries()) {
      await entry.read();
      break;
    }
    expect(reader.errors).toEqual([]);
    const d = await drain(await openTarget('big.tgz', { cwd: root }));
    expect(d.errors).toEqual([]);
    expect(d.entries).toHaveLength(files.length);
  });

  it('reports a file that vanished before reading as unreadable', async () => {
    writeFileSync(at('gone.tgz'), readFileSync(at('big.tgz')));
    const reader = await openTarget('gone.tgz', { cwd: root });
    const { rmSync } = await import('node:fs');
    rmSync(at('gone.tgz'));
    const d = await drain(reader);
    expect(codes(d)).toEqual(['unreadable']);
    expect(d.errors[0].message).toContain('ENOENT');
  });

  it('gives what zlib gives in one piece, through a look-ahead window small enough to pause it', async () => {
    const data = Buffer.concat([randomBytes(300 * 1024), Buffer.from('text '.repeat(200_000)), randomBytes(5000)]);
    writeFileSync(at('window.gz'), gzipSync(data));
    const options = { chunkSize: 16 * 1024, readSize: 8 * 1024, batchBytes: 32 * 1024, maxAheadBytes: 128 * 1024 };
    const got: Buffer[] = [];
    let lastCompressed = 0;
    for await (const { chunk, compressedBytes } of workerGunzip('window.gz', options)) {
      got.push(Buffer.from(chunk));
      expect(compressedBytes).toBeGreaterThanOrEqual(lastCompressed);
      lastCompressed = compressedBytes;
      // A slow consumer: the worker reaches its window and waits for acks.
      if (got.length % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(lastCompressed).toBe(gzipSync(data).length);
    const stats = workerJobStatsForTest();
    expect(stats.usedLoop).toBe(!stream);
    // It did wait for the consumer, and went on when acked.
    expect(stats.pauses).toBeGreaterThan(0);
  });

  it('sends a gzip bomb on in batches, never all that one read inflates to', async () => {
    // 48 MB of zeros compress to ~47 KB: one 64 KiB read holds all of it.
    writeFileSync(at('bomb.gz'), gzipSync(Buffer.alloc(48 * 1024 * 1024)));
    const options = { chunkSize: 32 * 1024, readSize: 64 * 1024, batchBytes: 128 * 1024, maxAheadBytes: 1024 * 1024 };
    workerJobStatsForTest();
    let total = 0;
    for await (const { chunk } of workerGunzip('bomb.gz', options)) {
      total += chunk.length;
      if (total > 4 * 1024 * 1024) break; // as the ratio guard would stop it
    }
    expect(workerJobStatsForTest().largestMessage).toBeLessThanOrEqual(options.batchBytes + options.chunkSize);
  });

  it('takes turns with other archives even on input that inflates to almost nothing', async () => {
    // 1.6 million empty gzip members (32 MB) inflate to nothing: only the reads bound a slice.
    writeFileSync(at('empty-members.gz'), Buffer.concat(Array.from({ length: 1_600_000 }, () => EMPTY_MEMBER)));
    writeFileSync(at('small.gz'), gzipSync(randomBytes(100_000)));
    const options = { chunkSize: 32 * 1024, readSize: 64 * 1024, batchBytes: 128 * 1024, maxAheadBytes: 1024 * 1024 };
    const ended: string[] = [];
    const drainOne = async (name: string) => {
      expect((await workerGunzipAll(name, options)).error).toBeUndefined();
      ended.push(name);
    };
    await Promise.all([drainOne('empty-members.gz'), drainOne('small.gz')]);
    expect([...ended].sort()).toEqual(['empty-members.gz', 'small.gz']);
    // The loop's slices are bounded by input too; (the stream takes a turn per chunk anyway).
    if (!stream) expect(ended[0]).toBe('small.gz');
  });

  it('reads concatenated gzip members and trailing zeros as zlib does, and fails as zlib does', async () => {
    const a = randomBytes(70_000);
    const b = Buffer.from('second member '.repeat(10_000));
    const cases: Record<string, Buffer> = {
      'members.gz': Buffer.concat([gzipSync(a), gzipSync(b)]),
      'zeros.gz': Buffer.concat([gzipSync(a), Buffer.alloc(3000)]),
      'garbage.gz': Buffer.concat([gzipSync(a), Buffer.from('not gzip at all')]),
      'cut.gz': gzipSync(a).subarray(0, 40_000),
      'empty.gz': Buffer.alloc(0),
    };
    const options = { chunkSize: 32 * 1024, readSize: 16 * 1024, batchBytes: 64 * 1024, maxAheadBytes: 1024 * 1024 };
    for (const [name, bytes] of Object.entries(cases)) {
      writeFileSync(at(name), bytes);
      const reference = await streamGunzip(bytes);
      expect(reference.error !== undefined, name).toBe(['garbage.gz', 'cut.gz', 'empty.gz'].includes(name));
      const { bytes: out, error } = await workerGunzipAll(name, options);
      expect({ name, error }).toEqual({ name, error: reference.error });
      expect(error?.message, name).not.toBe('fell back');
      if (!error) expect(out.equals(reference.bytes), name).toBe(true);
    }
  });
});

describe('the worker’s zlib loop on damaged gzip', () => {
  it('gives the output and the error Node’s zlib stream gives, byte flips and cuts anywhere', async () => {
    const base = Buffer.concat([gzipSync(Buffer.from('header '.repeat(3000))), gzipSync(randomBytes(20_000))]);
    const options = { chunkSize: 8 * 1024, readSize: 4 * 1024, batchBytes: 16 * 1024, maxAheadBytes: 256 * 1024 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.option(fc.nat()), async (flips, keep) => {
        const bytes = Buffer.from(keep === null ? base : base.subarray(0, keep % (base.length + 1)));
        for (const [at, byte] of flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        writeFileSync(at('fuzz.gz'), bytes);
        const reference = await streamGunzip(bytes);
        const { bytes: out, error } = await workerGunzipAll('fuzz.gz', options);
        expect(error).toEqual(reference.error);
        // Before an error the loop sends whole batches only: a prefix of what the stream gave.
        if (error) {
          expect(out.length).toBeLessThanOrEqual(reference.bytes.length);
          expect(reference.bytes.subarray(0, out.length).equals(out)).toBe(true);
        } else expect(out.equals(reference.bytes)).toBe(true);
      }),
      { numRuns: 150 },
    );
    // (The property's archives went through the loop: an intact one ends in it.)
    writeFileSync(at('fuzz.gz'), base);
    expect((await workerGunzipAll('fuzz.gz', options)).error).toBeUndefined();
    expect(workerJobStatsForTest().usedLoop).toBe(true);
  });
});

const EMPTY_MEMBER = gzipSync(Buffer.alloc(0));

type GunzipError = { message: string; code?: string };
const errorOf = (err: unknown): GunzipError => ({ message: (err as Error).message, code: (err as { code?: string }).code });

/** The worker's gunzip of a file in the test folder, with no in-thread fallback (that would hide the worker's path). */
function workerGunzip(name: string, options: WorkerGunzipOptions): AsyncGenerator<GunzipBatch> {
  return gunzipInWorker(at(name), options, () => {
    throw new Error('fell back');
  });
}

/** All a worker gunzip gives: its output, and its error if it failed. */
async function workerGunzipAll(name: string, options: WorkerGunzipOptions): Promise<{ bytes: Buffer; error?: GunzipError }> {
  const out: Buffer[] = [];
  try {
    for await (const { chunk } of workerGunzip(name, options)) out.push(Buffer.from(chunk));
    return { bytes: Buffer.concat(out) };
  } catch (err) {
    return { bytes: Buffer.concat(out), error: errorOf(err) };
  }
}

/** Node's zlib stream over the same bytes: the reference for output and errors. */
async function streamGunzip(bytes: Buffer): Promise<{ bytes: Buffer; error?: GunzipError }> {
  const out: Buffer[] = [];
  const gunzip = createGunzip();
  try {
    const done = (async () => {
      for await (const chunk of gunzip) out.push(chunk as Buffer);
    })();
    gunzip.end(bytes);
    await done;
    return { bytes: Buffer.concat(out) };
  } catch (err) {
    return { bytes: Buffer.concat(out), error: errorOf(err) };
  }
}
