// A large chunk's scan in two halves at once: this thread scans [0, S) while the scan worker
// scans [S, n) with the SPEC build of the scanner, and the first half then takes in the second
// (see "the split" at the end of wasm/decoy-scanner/scanner.ts for why the result is the serial
// pass's exactly). On this project's 2-core machine the scan is most of what decoys add to an
// esbuild build, and Node's second core is idle while it runs (bench/README.md, "Decoys").
//
// The worker is started when a process plants large chunks a second time (ScanBatch.release in
// scan.ts), for its later builds (watch mode, a dev server), and is used only once it reports
// ready: a chunk never waits for it to start. (Started for a one-off build instead, it measured
// no faster for that build's one scan, and its start-up took CPU from the build.) The wait itself is synchronous (Atomics.wait, then receiveMessageOnPort), so
// scanChunk stays synchronous. Anything unexpected (the worker cannot start, fails, times out,
// or its half voids itself) costs nothing but the time: this thread scans on from the split
// alone. (A worker that dies mid-job is only noticed at the timeout: this thread is blocked
// in Atomics.wait, where no 'exit' event can reach it.)

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** The exports of a scanner build that a split uses (see scanner.ts). */
export interface SplitScanner {
  memory: { buffer: ArrayBuffer };
  prepare(units: number): number;
  beginAt(from: number): void;
  step(limit: number): number;
  specReset(): void;
  finishSpec(split: number): number;
  importRegion(bytes: number): number;
  mergeSpec(region: number, regionB: number, headerB: number): number;
}

/** What the second half hands back: its records (everything it allocated after the code). */
export interface SecondHalf {
  region: ArrayBuffer;
  regionStart: number;
  header: number;
}

/** A place to split: just after a `;`, read again by the second half from just after an earlier `;`. */
export interface SplitPoint {
  from: number;
  split: number;
}

/** Chunks smaller than this are scanned in one piece: the split's fixed costs are ~2-3 ms. */
export const SPLIT_MIN_UNITS = 1 << 20;

/**
 * Where `code` may be split, in order: just after a `;` near the middle and after a few more
 * `;` 2,000 characters apart (a `;` inside a string or a regular expression cannot be a split,
 * and the worker takes the first that is not), each with where the second half starts reading
 * again to learn the tokens before it (just after a `;` at least 200 characters earlier).
 */
export function splitPoints(code: string, count = 8): SplitPoint[] {
  const points: SplitPoint[] = [];
  for (let at = code.length >> 1; points.length < count; at += 2000) {
    const semi = code.indexOf(';', at);
    if (semi < 0 || semi + 1 >= code.length) break;
    const before = semi + 1 - 200 > 0 ? code.lastIndexOf(';', semi + 1 - 200) : -1;
    if (before >= 0) points.push({ from: before + 1, split: semi + 1 });
    at = Math.max(at, semi);
  }
  return points;
}

/**
 * The second half of a split scan, on a SPEC instance: `bytes` holds the whole code (ASCII).
 * Takes the first of `points` where the tokens read again end exactly at the split (as the
 * first half's must) and tells `chosen` which (-1: none) before it scans on. Self-contained (no
 * outer names) because the worker runs it from its source text.
 */
export function scanSecondHalf(wasm: SplitScanner, bytes: Uint8Array, n: number, points: readonly SplitPoint[], stepUnits: number, chosen: (split: number) => void): SecondHalf | undefined {
  const at = wasm.prepare(n);
  new Uint8Array(wasm.memory.buffer, at, n).set(bytes.subarray(0, n));
  let split = -1;
  let reached = -1;
  for (const point of points) {
    wasm.beginAt(point.from);
    reached = point.from;
    while (reached >= 0 && reached < point.split) reached = wasm.step(Math.min(point.split, reached + stepUnits));
    if (reached === point.split) {
      split = point.split;
      break;
    }
  }
  chosen(split);
  if (split < 0) return undefined;
  wasm.specReset();
  while (reached >= 0 && reached < n) reached = wasm.step(Math.min(n, reached + stepUnits));
  if (reached !== n) return undefined;
  const header = wasm.finishSpec(split);
  // SH_REGION_START and SH_REGION_END in scanner.ts (written out: the worker runs this function's text alone).
  const ints = new Int32Array(wasm.memory.buffer, header, 27);
  const regionStart = ints[25];
  return { region: wasm.memory.buffer.slice(regionStart, ints[26]), regionStart, header };
}

/** The first half, stopped exactly at the split, takes in the second; false: scan on alone. */
export function mergeSecondHalf(wasm: SplitScanner, half: SecondHalf): boolean {
  const bytes = half.region.byteLength;
  const at = wasm.importRegion(bytes);
  new Uint8Array(wasm.memory.buffer, at, bytes).set(new Uint8Array(half.region));
  return wasm.mergeSpec(at, half.regionStart, half.header) === 1;
}

// ---- the worker
const WORKER_SOURCE = (stepUnits: number) => `
const { workerData } = require('node:worker_threads');
const scanSecondHalf = ${scanSecondHalf.toString()};
const { module, ctrl: ctrlBuffer, port, sample } = workerData;
const ctrl = new Int32Array(ctrlBuffer);
const wasm = new WebAssembly.Instance(module, { env: { abort() { throw new Error('scanner abort'); } } }).exports;
// Run the scan a few times before reporting ready: V8 swaps in optimized code between calls.
const bytes = Buffer.from(sample.text, 'latin1');
for (let k = 0; k < 12; k++) scanSecondHalf(wasm, bytes, bytes.length, sample.points, 1 << 12, () => {});
Atomics.store(ctrl, 0, 1);
// ctrl[2], ctrl[3]: the split chosen for job ctrl[3] (-1: none); ctrl[1]: the last job done.
port.on('message', (job) => {
  let told = false;
  const chosen = (split) => {
    told = true;
    Atomics.store(ctrl, 2, split);
    Atomics.store(ctrl, 3, job.id);
    Atomics.notify(ctrl, 3);
  };
  let half;
  try {
    half = scanSecondHalf(wasm, new Uint8Array(job.shared), job.n, job.points, ${stepUnits}, chosen);
  } catch {
    half = undefined;
  }
  if (!told) chosen(-1);
  port.postMessage({ id: job.id, half }, half ? [half.region] : []);
  Atomics.store(ctrl, 1, job.id);
  Atomics.notify(ctrl, 1);
});
`;

interface ScanWorker {
  worker: Worker;
  port: MessagePort;
  /** [0]: 1 once the worker is ready; [1]: the id of the last job it finished; [2], [3]: the split it chose, for job [3]. */
  ctrl: Int32Array;
  shared: SharedArrayBuffer;
  nextId: number;
}

let current: ScanWorker | undefined;
let enabled = true;
let splitsDone = 0;

/** Turns split scans off (or on again): tests and benches compare both paths. */
export function setSplitScans(on: boolean): void {
  enabled = on;
}

/** How many scans were split in this process (tests check the path taken). */
export function splitScansDone(): number {
  return splitsDone;
}

/** A split scan's halves were merged. */
export function countSplit(): void {
  splitsDone++;
}

/** The scan worker is running and warmed up (the next large chunk is split). */
export function splitWorkerReady(): boolean {
  return current !== undefined && Atomics.load(current.ctrl, 0) === 1;
}

/** For tests: the worker stops answering (its channel is closed), as a stalled or dead one would. */
export function silenceScanWorker(): void {
  current?.port.close();
}

export function stopScanWorker(): void {
  const w = current;
  current = undefined;
  if (w) void w.worker.terminate();
}

/**
 * Starts the scan worker if it is not running (it warms up on `sample`, a small made-up bundle).
 * Returns at once; the worker is used once it is ready. Never throws: without a worker, scans
 * run in one piece.
 */
export function startScanWorker(specModule: object, sample: string, stepUnits: number): void {
  if (current) return;
  try {
    const { port1, port2 } = new MessageChannel();
    const ctrlBuffer = new SharedArrayBuffer(16);
    const worker = new Worker(WORKER_SOURCE(stepUnits), {
      eval: true,
      workerData: { module: specModule, ctrl: ctrlBuffer, port: port2, sample: { text: sample, points: splitPoints(sample) } },
      transferList: [port2],
    });
    const w: ScanWorker = { worker, port: port1, ctrl: new Int32Array(ctrlBuffer), shared: new SharedArrayBuffer(0), nextId: 1 };
    const gone = () => {
      if (current === w) current = undefined;
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    // An idle worker never keeps the process alive.
    worker.unref();
    current = w;
  } catch {
    current = undefined;
  }
}

/**
 * A job sent to the worker. `firstSplit`: the earliest split it may choose (the first half
 * scans at least that far); `split()`: the one it chose (-1: none, scan on alone); `wait()`: its
 * half, or undefined (then scan on alone).
 */
export interface PendingHalf {
  firstSplit: number;
  split(): number;
  wait(): SecondHalf | undefined;
}

/**
 * Hands the code (its n ASCII bytes) and the split points to the worker, if it is ready and a
 * split point exists; undefined otherwise.
 */
export function sendSecondHalf(code: string, bytes: Uint8Array): PendingHalf | undefined {
  const w = current;
  if (!w || !enabled || Atomics.load(w.ctrl, 0) !== 1) return undefined;
  const points = splitPoints(code);
  if (points.length === 0) return undefined;
  const n = bytes.length;
  if (w.shared.byteLength < n) w.shared = new SharedArrayBuffer(Math.max(n, w.shared.byteLength * 2));
  new Uint8Array(w.shared, 0, n).set(bytes);
  const id = w.nextId++;
  w.port.postMessage({ id, shared: w.shared, n, points });
  // Generous (1 s + 1 ms per 2,000 characters: 4 s for 6 MB): the worker scans half the chunk in
  // tens of milliseconds, but a loaded machine may stall it.
  const timeout = 1000 + n / 2000;
  /** Waits until ctrl[slot] holds `id`; false when the worker took too long (it is then stopped). */
  const waitFor = (slot: number): boolean => {
    for (;;) {
      const seen = Atomics.load(w.ctrl, slot);
      if (seen === id) return true;
      if (Atomics.wait(w.ctrl, slot, seen, timeout) === 'timed-out') {
        // Its answers would come too late to trust: start afresh later.
        if (current === w) stopScanWorker();
        return false;
      }
    }
  };
  // A runtime without these (Atomics.wait refused on this thread, no receiveMessageOnPort)
  // throws here: the scan then goes on alone, as for any other failure of the worker.
  return {
    firstSplit: points[0].split,
    split() {
      try {
        return waitFor(3) ? Atomics.load(w.ctrl, 2) : -1;
      } catch {
        return -1;
      }
    },
    wait() {
      try {
        if (!waitFor(1)) return undefined;
        for (;;) {
          const message = receiveMessageOnPort(w.port)?.message as { id: number; half?: SecondHalf } | undefined;
          if (!message) return undefined;
          if (message.id !== id) continue;
          return message.half;
        }
      } catch {
        return undefined;
      }
    },
  };
}
