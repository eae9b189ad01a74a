// One measured task in a fresh process, so that each run starts cold (as a CLI does) and its
// peak RSS is its own: `node bench/scan-child.mjs gunzip|scan FILE...` prints one JSON line
// { ms, maxRssMiB, ... }. Module loading happens before the clock starts.

import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parseStat } from './proc-cpu.mjs';

// The readers' sizes (src/scan/readers/archive-bytes.ts): 256 KiB file reads; zlib writes 256 KiB
// chunks for archives of 1 MiB or more (decompressed on the worker), 64 KiB below. The baseline
// must use the same: a smaller chunk makes plain gunzip slower (64 KiB on the incident tarball:
// ~25% slower than 256 KiB) and the ratio look better than it is.
const READ_CHUNK = 256 * 1024;
const WORKER_MIN_COMPRESSED_BYTES = 1024 * 1024;
const zlibChunkFor = (file) => (statSync(file).size >= WORKER_MIN_COMPRESSED_BYTES ? 256 * 1024 : 64 * 1024);

const [mode, ...files] = process.argv.slice(2);

async function gunzipAll() {
  let bytes = 0;
  for (const file of files) {
    await pipeline(
      createReadStream(file, { highWaterMark: READ_CHUNK }),
      createGunzip({ chunkSize: zlibChunkFor(file) }),
      new Writable({
        write(chunk, _enc, done) {
          bytes += chunk.length;
          done();
        },
      }),
    );
  }
  return { bytes };
}

async function scanAll(scan) {
  const report = await scan(files, { cwd: process.cwd() });
  const codes = {};
  for (const f of report.findings) codes[f.code] = (codes[f.code] ?? 0) + 1;
  return {
    findings: report.findings.length,
    codes,
    errors: report.errors.map((e) => e.message),
    exposure: report.exposure.summary,
    sources: report.exposure.sources,
    files: report.targets.reduce((n, t) => n + t.files, 0),
  };
}

let task;
if (mode === 'gunzip') task = gunzipAll;
else if (mode === 'scan') {
  let scan;
  try {
    // PILLBOX_BENCH_ENTRY: another build of the package's entry (for comparing builds).
    ({ scan } = await import(process.env.PILLBOX_BENCH_ENTRY ? new URL(process.env.PILLBOX_BENCH_ENTRY, `file://${process.cwd()}/`).href : '../dist/index.js'));
  } catch (err) {
    console.error(`cannot load the built package (run \`npm run bench\`, which builds first): ${err.message}`);
    process.exit(2);
  }
  task = () => scanAll(scan);
} else {
  console.error('usage: node bench/scan-child.mjs gunzip|scan FILE...');
  process.exit(2);
}

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const result = await task();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
// CPU time of every thread of the process (zlib's threadpool and workers included): steadier
// than wall time when other work shares the machine.
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
// BENCH_THREADS=1: CPU time per thread (Linux /proc), to see where the work went.
const threads = process.env.BENCH_THREADS ? threadTimes() : undefined;
process.stdout.write(JSON.stringify({ mode, ms, cpuMs, maxRssMiB, ...result, ...(threads ? { threads } : {}) }) + '\n');

function threadTimes() {
  const out = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const { name, ms } = parseStat(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
      if (ms > 0) out[`${tid === String(process.pid) ? "main" : tid}:${name}`] = ms;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
