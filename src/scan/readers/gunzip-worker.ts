import { Worker } from 'node:worker_threads';

// Decompression on a worker thread, so that it keeps going while the main thread analyses.
//
// A zlib stream on the main thread has at most one chunk in flight and the next is only queued
// from the main thread: while the main thread analyses a 60 MB map synchronously, decompression
// stops. The worker inflates on its own thread and reads ahead (bounded) while the main thread
// is busy. One worker serves every archive of the process (starting one costs tens of
// milliseconds); it is unref'd while idle, so it never keeps the process alive.
// bench/scan-*.bench.mjs measure the difference.

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
//
// zlib runs on this worker's own thread, synchronously, in slices of one batch (`syncJob`):
// Node's zlib stream would run each chunk on the libuv threadpool and wait for this thread to
// queue the next, two thread hops per 256 KiB; while the main thread and V8's helpers keep the
// cores busy, those waits added up (incident tarball, one busy core beside it: stream gunzip
// 504-547 ms, this loop 386-419 ms). Node has no public synchronous streaming call: the loop
// drives the zlib handle's writeSync as zlib.gunzipSync does, and falls back to the stream
// (`streamJob`) on a Node whose zlib internals differ. A zlib error is the same error object
// either way (the handle reports it), so messages and codes do not depend on the path.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, createReadStream, openSync, readSync } = require('node:fs');
const zlib = require('node:zlib');
const { Z_FINISH, Z_NO_FLUSH } = zlib.constants;
const jobs = new Map();

/** A chunk of 4 KiB or more owns its ArrayBuffer, which is moved (no copy); smaller ones (Node's pool) are copied. */
function post(m, chunks, compressedBytes) {
  const transfer = chunks.filter((c) => c.length >= 4096).map((c) => c.buffer);
  parentPort.postMessage({ id: m.id, type: 'data', chunks, compressedBytes }, transfer);
}

/** A job's shared state (how far it has sent ahead of the consumer), registered under its id. */
function newJob(m, close, resume) {
  const job = { max: m.maxAheadBytes, ahead: 0, paused: false, pauses: 0, close, resume };
  jobs.set(m.id, job);
  return job;
}

/** Sends a batch; true when the job must now wait for acks (it is a whole window ahead). */
function sendBatch(m, job, chunks, bytes, compressedBytes) {
  post(m, chunks, compressedBytes);
  job.ahead += bytes;
  if (job.ahead < job.max || job.paused) return false;
  job.paused = true;
  job.pauses++;
  return true;
}

function endJob(m, job, loop) {
  jobs.delete(m.id);
  parentPort.postMessage({ id: m.id, type: 'end', loop, pauses: job.pauses });
}

function failJob(m, job, err) {
  if (!jobs.has(m.id)) return;
  jobs.delete(m.id);
  const e = err || {};
  parentPort.postMessage({ id: m.id, type: 'error', error: { message: String(e.message || e), code: e.code, errno: e.errno, syscall: e.syscall, path: e.path } });
  job.close();
}

function syncJob(m) {
  const gunzip = zlib.createGunzip({ chunkSize: m.chunkSize });
  const handle = gunzip._handle;
  const state = gunzip._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    gunzip.close();
    return false;
  }
  // The handle reports a zlib error by destroying the stream, which then emits it: caught here.
  gunzip.on('error', () => {});
  let fd = -1;
  const close = () => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    gunzip.close();
  };
  // Slices are scheduled one at a time: at the start, by a slice that did not pause, and by an
  // ack that ends a pause (a paused job has none scheduled).
  const schedule = () => setImmediate(slice);
  const job = newJob(m, close, () => {
    job.paused = false;
    schedule();
  });
  const input = Buffer.allocUnsafe(m.readSize);
  // Output buffers are filled whole and sent (the last one as far as it was filled).
  let out = Buffer.allocUnsafe(m.chunkSize);
  let outOff = 0;
  let consumed = 0;
  let chunks = [];
  let batched = 0;
  const finished = () => {
    // (A tail under 4 KiB is copied out: sent as a view, its whole buffer would be cloned.)
    if (outOff > 0) chunks.push(outOff >= 4096 ? out.subarray(0, outOff) : Buffer.from(out.subarray(0, outOff)));
    if (chunks.length > 0) post(m, chunks, consumed);
    endJob(m, job, true);
    close();
  };
  // The input zlib has not finished with: it is fed again (into fresh output) until zlib leaves
  // output space unused, which means it has taken all it wants.
  let pending = false;
  let inOff = 0;
  let availIn = 0;
  let lastRead = -1;
  // One slice: inflate until a batch of output is ready (a gzip bomb's every 256 KiB included,
  // so nothing piles up unsent), eight reads have gone in (input that inflates to almost
  // nothing must not hold the thread either) or the archive ends, then yield to the event
  // loop, where acks, stops and other archives' slices get their turn.
  const slice = () => {
    if (jobs.get(m.id) !== job) return; // stopped
    try {
      if (fd < 0) fd = openSync(m.path, 'r');
      let reads = 0;
      while (batched < m.batchBytes) {
        if (!pending) {
          if (reads++ === 8) break;
          lastRead = readSync(fd, input, 0, input.length, null);
          inOff = 0;
          availIn = lastRead;
          pending = true;
        }
        const availOut = m.chunkSize - outOff;
        handle.writeSync(lastRead === 0 ? Z_FINISH : Z_NO_FLUSH, input, inOff, availIn, out, outOff, availOut);
        if (gunzip.destroyed) throw gunzip.errored || new Error('zlib failed');
        const availOutAfter = state[0];
        const availInAfter = state[1];
        consumed += availIn - availInAfter;
        inOff += availIn - availInAfter;
        availIn = availInAfter;
        outOff += availOut - availOutAfter;
        if (outOff >= m.chunkSize) {
          chunks.push(out);
          batched += m.chunkSize;
          out = Buffer.allocUnsafe(m.chunkSize);
          outOff = 0;
        }
        if (availOutAfter === 0) continue;
        pending = false;
        // Input left with output room to spare: the gzip stream has ended (trailing zeros), or
        // the file has.
        if (availIn > 0 || lastRead === 0) return finished();
      }
      const wait = batched > 0 && sendBatch(m, job, chunks, batched, consumed);
      chunks = [];
      batched = 0;
      if (!wait) schedule();
    } catch (err) {
      failJob(m, job, err);
    }
  };
  schedule();
  return true;
}

function streamJob(m) {
  const file = createReadStream(m.path, { highWaterMark: m.readSize });
  const gunzip = zlib.createGunzip({ chunkSize: m.chunkSize });
  const job = newJob(
    m,
    () => {
      file.destroy();
      gunzip.destroy();
    },
    () => {
      job.paused = false;
      gunzip.resume();
    },
  );
  let chunks = [];
  let batched = 0;
  const flush = () => {
    if (batched === 0) return;
    // A chunk that is all of its ArrayBuffer is zlib's finished output buffer: moved, no copy.
    // A partial one shares its buffer with output still to come: copied.
    const sent = chunks.map((c) => (c.byteOffset === 0 && c.length === c.buffer.byteLength ? c : Buffer.from(c)));
    if (sendBatch(m, job, sent, batched, gunzip.bytesWritten)) gunzip.pause();
    chunks = [];
    batched = 0;
  };
  const fail = (err) => failJob(m, job, err);
  file.on('error', fail);
  gunzip.on('error', fail);
  gunzip.on('data', (chunk) => {
    chunks.push(chunk);
    batched += chunk.length;
    if (batched >= m.batchBytes) flush();
  });
  gunzip.on('end', () => {
    flush();
    endJob(m, job, false);
  });
  file.pipe(gunzip);
}

parentPort.on('message', (m) => {
  if (m.type === 'start') return (m.zlibStream || !syncJob(m)) && streamJob(m);
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.type === 'ack') {
    job.ahead -= m.consumed;
    if (job.paused && job.ahead < job.max / 2) job.resume();
  } else if (m.type === 'stop') {
    jobs.delete(m.id);
    job.close();
  }
});
`;

type FromWorker =
  | { id: number; type: 'data'; chunks: Uint8Array[]; compressedBytes: number }
  | { id: number; type: 'end'; loop?: boolean; pauses: number }
  | { id: number; type: 'error'; error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } };

type JobEvent = FromWorker | { type: 'crash'; error: Error };

interface SharedWorker {
  worker: Worker;
  jobs: Map<number, (event: JobEvent) => void>;
  nextId: number;
}

let shared: SharedWorker | undefined;
let jobsStarted = 0;
/** For tests: run zlib as a stream on the worker (the path for a Node whose zlib internals differ). */
let zlibStream = false;

export function setWorkerZlibStreamForTest(on: boolean): void {
  zlibStream = on;
}

let lastEndedInLoop = false;
let lastPauses = 0;
let largestMessage = 0;
/**
 * For tests: whether the last archive the worker finished went through its own zlib loop and
 * how often it waited for the consumer, and the most bytes one message carried since the last call.
 */
export function workerJobStatsForTest(): { usedLoop: boolean; pauses: number; largestMessage: number } {
  const stats = { usedLoop: lastEndedInLoop, pauses: lastPauses, largestMessage };
  largestMessage = 0;
  return stats;
}

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
  s.worker.postMessage({ type: 'start', id, path: absPath, ...options, zlibStream });
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
        largestMessage = Math.max(largestMessage, event.chunks.reduce((sum, c) => sum + c.byteLength, 0));
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
        lastEndedInLoop = event.loop === true;
        lastPauses = event.pauses;
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
