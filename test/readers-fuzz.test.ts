import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/codes.js';
import { openTarget } from '../src/scan/readers/index.js';
import { drain, tempDir, type Drained } from './readers-helpers.js';

// Property: whatever bytes a target holds, opening and fully reading it ends (no hang), never
// throws, and yields either entries or ScanErrors whose codes are in ERROR_CODES. An entry whose
// read() failed always has its error recorded, and "nothing read, nothing wrong" never happens.

const KNOWN = new Set(Object.keys(ERROR_CODES));
const TIMEOUT_MS = 10_000;
let root: string;
let cleanup: () => void;
let counter = 0;
const bases: Record<string, Buffer> = {};

async function outcome(bytes: Uint8Array, name: string, limits = { maxFileBytes: 64 * 1024 }): Promise<Drained> {
  const file = `${counter++}-${name}`;
  writeFileSync(join(root, file), bytes);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${file}: no outcome within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([openTarget(file, { cwd: root, limits }).then((r) => drain(r, false)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function checkOutcome(d: Drained): void {
  for (const e of d.errors) {
    expect(KNOWN.has(e.code), e.code).toBe(true);
    expect(typeof e.message).toBe('string');
  }
  if (d.entries.some((e) => e.failed)) expect(d.errors.length).toBeGreaterThan(0);
  expect(d.entries.every((e) => !e.failed || e.failed === 'ReadFailure')).toBe(true);
  expect(d.entries.length + d.errors.length).toBeGreaterThan(0);
}

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir('fuzz'));
  const src = join(root, 'src');
  mkdirSync(join(src, 'package/dist'), { recursive: true });
  writeFileSync(join(src, 'package/package.json'), '{"name":"x","version":"1.0.0"}');
  writeFileSync(join(src, 'package/dist/index.js'), 'export const a = 1;\n'.repeat(50));
  writeFileSync(join(src, 'package/dist/index.js.map'), JSON.stringify({ version: 3, sources: ['../src/a.ts'], mappings: 'AAAA' }));
  const long = 'package/' + 'nested-folder/'.repeat(9) + 'file.js';
  mkdirSync(join(src, long, '..'), { recursive: true });
  writeFileSync(join(src, long), 'long');
  await tar.create({ gzip: true, cwd: src, file: join(root, 'base.tgz'), portable: true }, ['package']);
  bases.tgz = readFileSync(join(root, 'base.tgz'));
  bases.tar = gunzipSync(bases.tgz);
});
afterAll(() => cleanup());

const mutation = (size: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: size }) }),
    fc.record({
      kind: fc.constant('flip' as const),
      flips: fc.array(fc.tuple(fc.nat({ max: size - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat({ max: size }), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  );

type Mutation = { kind: 'truncate'; at: number } | { kind: 'flip'; flips: Array<[number, number]> } | { kind: 'insert'; at: number; bytes: Uint8Array };

function mutate(base: Buffer, m: Mutation): Buffer {
  if (m.kind === 'truncate') return base.subarray(0, m.at);
  if (m.kind === 'insert') return Buffer.concat([base.subarray(0, m.at), m.bytes, base.subarray(m.at)]);
  const out = Buffer.from(base);
  for (const [i, x] of m.flips) out[i % out.length] ^= x;
  return out;
}

describe('readers under random input', () => {
  it('random bytes, whatever the name', async () => {
    const header = fc.constantFrom(Buffer.alloc(0), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    await fc.assert(
      fc.asyncProperty(header, fc.uint8Array({ maxLength: 3000 }), fc.constantFrom('x.tgz', 'x.tar', 'x.bin'), async (h, body, name) => {
        const bytes = Buffer.concat([h, body]);
        // Make some plain bodies look like tar headers, so the tar parser gets its turn.
        if (name === 'x.tar' && bytes.length >= 512) bytes.write('ustar\u000000', 257, 'latin1');
        checkOutcome(await outcome(bytes, name));
      }),
      { numRuns: 150 },
    );
  });

  it('mutated gzipped tarballs', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(bases.tgz.length), async (m) => {
        checkOutcome(await outcome(mutate(bases.tgz, m as Mutation), 'm.tgz'));
      }),
      { numRuns: 150 },
    );
  });

  it('mutated tar streams, plain and inside valid gzip', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(bases.tar.length), fc.boolean(), async (m, gzip) => {
        const tarBytes = mutate(bases.tar, m as Mutation);
        checkOutcome(await outcome(gzip ? gzipSync(tarBytes) : tarBytes, gzip ? 'm.tgz' : 'm.tar'));
      }),
      { numRuns: 150 },
    );
  });
});
