import { Worker } from 'node:worker_threads';

// Decompression on a worker thread, so that it keeps going while the main thread analyses.
//
// Node's zlib streams do run on the libuv threadpool, but one stream has at most one chunk in
// flight and the next is only queued from the main thread: while the main thread analyses a
// 60 MB map synchronously, decompression stops. A worker has its own event loop, so it keeps
// queueing chunks and reads ahead (bounded) while the main thread is busy. One worker serves
// every archive of the process (starting one costs tens of milliseconds); it is unref'd while
// idle, so it never keeps the process alive. bench/scan-*.bench.mjs measure the difference.

/** Decompressed bytes, and the compressed bytes zlib had consumed when they came out. */
export interface GunzipBatch {
  chunk: Buffer;
  compressedBytes: number;
}

export interface WorkerGunzipOptions {
  /** zlib output chunk size (archive-bytes.ts gives the worker larger chunks than its in-thread path). */
  chunkSize: number;
  /** File read size. */
  readSize: number;
  /** Decompressed bytes gathered per message (fewer messages). */
  batchBytes: number;
  /** Most decompressed bytes the worker may have sent ahead of the consumer. */
  maxAheadBytes: number;
}

// Plain CommonJS run with `eval: true`, so that no separate file has to ship beside each build
// (ESM, CJS, tests from src). Per job: file -> gunzip -> batches of chunks -> parent.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const jobs = new Map();
function start(m) {
  const job = { file: createReadStream(m.path, { highWaterMark: m.readSize }), gunzip: createGunzip({ chunkSize: m.chunkSize }), chunks: [], batched: 0, ahead: 0, paused: false, max: m.maxAheadBytes };
  jobs.set(m.id, job);
  const flush = () => {
    if (job.batched === 0) return;
    // A chunk that is all of its ArrayBuffer is zlib's finished output buffer: move it, no copy.
    // A partial one shares its buffer with output still to come: copy it.
    const chunks = job.chunks.map((c) => (c.byteOffset === 0 && c.length === c.buffer.byteLength ? c : Buffer.from(c)));
    const transfer = chunks.filter((c) => c.length === c.buffer.byteLength && c.length >= 4096).map((c) => c.buffer);
    parentPort.postMessage({ id: m.id, type: 'data', chunks, compressedBytes: job.gunzip.bytesWritten }, transfer);
    job.ahead += job.batched;
    job.chunks = [];
    job.batched = 0;
    if (job.ahead >= job.max && !job.paused) {
      job.paused = true;
      job.gunzip.pause();
    }
  };
  const fail = (err) => {
    if (!jobs.has(m.id)) return;
    jobs.delete(m.id);
    const e = err || {};
    parentPort.postMessage({ id: m.id, type: 'error', error: { message: String(e.message || e), code: e.code, errno: e.errno, syscall: e.syscall, path: e.path } });
    job.file.destroy();
    job.gunzip.destroy();
  };
  job.file.on('error', fail);
  job.gunzip.on('error', fail);
  job.gunzip.on('data', (chunk) => {
    job.chunks.push(chunk);
    job.batched += chunk.length;
    if (job.batched >= m.batchBytes) flush();
  });
  job.gunzip.on('end', () => {
    flush();
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, type: 'end' });
  });
  job.file.pipe(job.gunzip);
}
parentPort.on('message', (m) => {
  if (m.type === 'start') return start(m);
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.type === 'ack') {
    job.ahead -= m.consumed;
    if (job.paused && job.ahead < job.max / 2) {
      job.paused = false;
      job.gunzip.resume();
    }
  } else if (m.type === 'stop') {
    jobs.delete(m.id);
    job.file.destroy();
    job.gunzip.destroy();
  }
});
`;

type FromWorker =
  | { id: number; type: 'data'; chunks: Uint8Array[]; compressedBytes: number }
  | { id: number; type: 'end' }
  | { id: number; type: 'error'; error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } };

type JobEvent = FromWorker | { type: 'crash'; error: Error };

interface SharedWorker {
  worker: Worker;
  jobs: Map<number, (event: JobEvent) => void>;
  nextId: number;
}

let shared: SharedWorker | undefined;
let jobsStarted = 0;

/**
 * Stops the shared worker (it is unref'd while idle, so nobody has to). Archives it was still
 * decompressing fail closed; the next archive starts a new worker.
 */
export async function terminateGunzipWorker(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await s.worker.terminate();
}

/** How many archives went through the worker in this process (tests check the path taken). */
export function workerJobsStarted(): number {
  return jobsStarted;
}

function sharedWorker(): SharedWorker {
  if (shared) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const s: SharedWorker = { worker, jobs: new Map(), nextId: 1 };
  worker.on('message', (m: FromWorker) => s.jobs.get(m.id)?.(m));
  const crash = (error: Error) => {
    if (shared === s) shared = undefined;
    for (const deliver of s.jobs.values()) deliver({ type: 'crash', error });
    s.jobs.clear();
  };
  worker.on('error', crash);
  worker.on('exit', (code) => crash(new Error(`the decompression worker exited (code ${code})`)));
  worker.unref();
  shared = s;
  return s;
}

/** The worker stopped (crashed, or could not start) after it had sent part of an archive. */
export class GunzipWorkerFailed extends Error {
  override name = 'GunzipWorkerFailed';
}

/**
 * The decompressed bytes of a gzip file, decompressed on the shared worker. zlib and file-system
 * errors keep their message and code. A worker that cannot be started, or stops before sending
 * anything, costs nothing: the file is decompressed here instead (`fallback`).
 */
export async function* gunzipInWorker(absPath: string, options: WorkerGunzipOptions, fallback: () => AsyncGenerator<GunzipBatch>): AsyncGenerator<GunzipBatch> {
  let s: SharedWorker;
  try {
    s = sharedWorker();
  } catch {
    yield* fallback();
    return;
  }
  const id = s.nextId++;
  jobsStarted++;
  const queue: JobEvent[] = [];
  let wake: (() => void) | undefined;
  s.jobs.set(id, (event) => {
    queue.push(event);
    wake?.();
  });
  // Held while a job runs: the process must not exit under a scan that waits for it.
  if (s.jobs.size === 1) s.worker.ref();
  s.worker.postMessage({ type: 'start', id, path: absPath, ...options });
  let finished = false;
  let delivered = false;
  let unacked = 0;
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const event = queue.shift() as JobEvent;
      if (event.type === 'data') {
        delivered = true;
        for (const c of event.chunks) {
          const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
          unacked += chunk.length;
          yield { chunk, compressedBytes: event.compressedBytes };
        }
        // A message costs the main thread ~0.2 ms: ack in steps of a quarter of the window
        // (the worker resumes below half of it, so it never waits on an ack held back here).
        if (unacked >= options.maxAheadBytes / 4) {
          s.worker.postMessage({ type: 'ack', id, consumed: unacked });
          unacked = 0;
        }
      } else if (event.type === 'end') {
        finished = true;
        return;
      } else if (event.type === 'error') {
        finished = true;
        const { message, ...rest } = event.error;
        throw Object.assign(new Error(message), Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
      } else {
        finished = true;
        if (!delivered) {
          yield* fallback();
          return;
        }
        throw new GunzipWorkerFailed(event.error.message);
      }
    }
  } finally {
    s.jobs.delete(id);
    // Stopped early (a limit, a bad entry, a consumer that gave up): stop reading the file.
    if (!finished && shared === s) s.worker.postMessage({ type: 'stop', id });
    if (s.jobs.size === 0) s.worker.unref();
  }
}
