// Shared by the scan benches: run the child for each mode, alternating, and judge medians.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./scan-child.mjs', import.meta.url));

export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 5);

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const SNAPSHOT = fileURLToPath(new URL('./.out/dist/', import.meta.url));

/**
 * Copies the built package to bench/.out/dist once per bench, so that a rebuild during the
 * minutes a bench runs (another terminal, a watch build) cannot pull dist/ from under it.
 * Waits up to a minute for a build in progress to finish.
 */
function snapshotDist() {
  if (process.env.PILLBOX_BENCH_ENTRY) return process.env.PILLBOX_BENCH_ENTRY;
  for (let waited = 0; !existsSync(`${DIST}index.js`); waited += 1) {
    if (waited === 60) throw new Error('dist/index.js is missing: run `npm run bench` (it builds first)');
    execFileSync('sleep', ['1']);
  }
  rmSync(SNAPSHOT, { recursive: true, force: true });
  cpSync(DIST, SNAPSHOT, { recursive: true });
  return `${SNAPSHOT}index.js`;
}

let entry;

/** One measured task in a fresh process; `build` is the package entry to scan with (default: a snapshot of dist/; gunzip loads none). */
export function runChild(mode, files, extraArgs = [], build = undefined) {
  const env = mode === 'scan' ? { ...process.env, PILLBOX_BENCH_ENTRY: build ?? (entry ??= snapshotDist()) } : process.env;
  const out = execFileSync(process.execPath, [...extraArgs, CHILD, mode, ...files], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

export function describeInputs(made) {
  const raw = made.reduce((n, m) => n + m.bytes, 0);
  const gz = made.reduce((n, m) => n + statSync(m.file).size, 0);
  return `${made.length} tarball${made.length === 1 ? '' : 's'}, ${mb(gz)} gzipped, ${mb(raw)} decompressed`;
}

export function machine() {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} x${cpu.length}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join('/')}`;
}

export function verdict(ok) {
  return ok ? 'PASS' : 'OVER';
}

/**
 * Alternates gunzip and scan children `RUNS` times (after one untimed warm-up of each, which
 * also fills the page cache) and returns the samples.
 */
export function measure(files, onRun) {
  runChild('gunzip', files);
  const first = runChild('scan', files);
  if (first.errors.length > 0) throw new Error(`the scan reported errors: ${first.errors.join('; ')}`);
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const gunzip = runChild('gunzip', files);
    const scan = runChild('scan', files);
    samples.push({ gunzip, scan, ratio: scan.ms / gunzip.ms });
    onRun?.(i, samples[i]);
  }
  return { first, samples };
}

const ms = (x) => `${x.toFixed(0)} ms`;

/**
 * Measures and prints one bench: per-run times, medians, the wall-time ratio against its target
 * and, when given, peak RSS against its target. CPU time (all threads) is printed alongside:
 * it is what other load on the machine disturbs least.
 * @param {{ title: string, made: Array<{ file: string, bytes: number }>, maxRatio: number, maxRssMB?: number }} o
 */
export function runBench(o) {
  const files = o.made.map((m) => m.file);
  console.log(`\n## ${o.title} (${describeInputs(o.made)})`);
  console.log(`machine: ${machine()}; ${RUNS} runs, each in a fresh process`);
  const { first, samples } = measure(files, (i, s) =>
    console.log(
      `  run ${i + 1}: gunzip ${ms(s.gunzip.ms)} (cpu ${ms(s.gunzip.cpuMs)}), scan ${ms(s.scan.ms)} (cpu ${ms(s.scan.cpuMs)}), ratio ${s.ratio.toFixed(2)}x, scan max RSS ${s.scan.maxRssMiB.toFixed(0)} MiB`,
    ),
  );
  console.log(`  scanned ${first.files} files: ${first.findings} findings ${JSON.stringify(first.codes)}; ${first.exposure}`);
  const med = (pick) => median(samples.map(pick));
  const g = med((s) => s.gunzip.ms);
  const s = med((x) => x.scan.ms);
  const ratio = s / g;
  const cpuRatio = med((x) => x.scan.cpuMs) / med((x) => x.gunzip.cpuMs);
  console.log(`  median: gunzip ${ms(g)} (cpu ${ms(med((x) => x.gunzip.cpuMs))}), scan ${ms(s)} (cpu ${ms(med((x) => x.scan.cpuMs))})`);
  console.log(`  ratio scan/gunzip ${ratio.toFixed(2)}x (target <= ${o.maxRatio}x) ${verdict(ratio <= o.maxRatio)}; cpu-time ratio ${cpuRatio.toFixed(2)}x`);
  const result = { ratio, cpuRatio, gunzipMs: g, scanMs: s };
  if (o.maxRssMB !== undefined) {
    // The target is in MB (10^6 bytes); maxRSS is reported in KiB.
    const rssMB = Math.max(...samples.map((x) => x.scan.maxRssMiB)) * 1.048576;
    console.log(`  peak RSS of the scan ${rssMB.toFixed(0)} MB, worst of ${RUNS} runs (target < ${o.maxRssMB} MB) ${verdict(rssMB < o.maxRssMB)}`);
    result.rssMB = rssMB;
  }
  return result;
}
