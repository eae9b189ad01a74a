import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanError } from '../core/findings.js';
import { analyseFile, type AnalyseOptions, type FileInput } from './analyse-file.js';
import type { EarlyResults } from './early-analysis.js';
import { looksLikeText } from './bytes.js';
import type { FileFacts } from './facts.js';

// Opt-in (ScanOptions.analysisWorker): large files are analysed on one worker thread while the
// main thread keeps reading. Small files, and any run without a worker, are analysed
// in-process: same code, same results. A worker that
// fails never turns a file into "clean": its files become errors (exit 2).

export interface WorkerRequest {
  id: number;
  input: FileInput;
  bytes: Uint8Array;
  options: AnalyseOptions;
}

export type WorkerResponse = { id: number; result: { facts: FileFacts; errors: ScanError[] } } | { id: number; error: string };

/** Files at least this large go to the worker; smaller ones cost less than the hand-off. */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;
/** A file this large starts the worker early, so that its start-up overlaps reading. */
export const WORKER_WARM_BYTES = 1024 * 1024;

/** The built worker next to this module (dist/scan-worker.js or .cjs), if there is one. */
export function defaultWorkerUrl(): URL | undefined {
  const here = import.meta.url;
  const ext = here.endsWith('.cjs') ? '.cjs' : here.endsWith('.js') ? '.js' : undefined;
  if (!ext) return undefined;
  const url = new URL(`./scan-worker${ext}`, here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

type Result = { facts: FileFacts; errors: ScanError[] };

/**
 * Only text (code, maps) and compressed files cost real work; binaries are checked in a few
 * native searches, and queueing them behind a map would stall reading instead.
 */
function worthOffloading(buf: Buffer): boolean {
  return looksLikeText(buf) || (buf[0] === 0x1f && buf[1] === 0x8b) || buf.length === 0;
}

export class AnalysisPool {
  private started: { worker: Worker; ready: Promise<boolean> } | undefined;
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; fail: (why: string) => void }>();

  constructor(
    private readonly options: AnalyseOptions,
    private readonly workerUrl: URL | undefined,
  ) {}

  /** Analyses one file, on the worker when it is large and a worker is available. */
  analyse(input: FileInput, buf: Buffer, early?: EarlyResults): Promise<Result> | Result {
    if (this.workerUrl && !this.broken && buf.length >= WORKER_WARM_BYTES) this.start();
    if (!this.workerUrl || this.broken || buf.length < WORKER_MIN_BYTES || !worthOffloading(buf)) return analyseFile(input, buf, this.options, early);
    const started = this.start();
    if (!started) return analyseFile(input, buf, this.options, early);
    // Until the worker is up, the bytes stay here: a worker that cannot start costs nothing.
    return started.ready.then((up) => (up ? this.post(started.worker, input, buf) : analyseFile(input, buf, this.options, early)));
  }

  private post(worker: Worker, input: FileInput, buf: Buffer): Promise<Result> {
    const id = this.nextId++;
    // Hand the bytes over without a copy when the Buffer owns its memory (a 60 MB map costs
    // tens of milliseconds to clone); the main thread does not touch them afterwards.
    const owns = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer;
    return new Promise<Result>((resolve) => {
      this.pending.set(id, {
        resolve,
        fail: (why) => resolve({ facts: emptyFacts(input), errors: [{ path: input.path, code: 'unreadable', message: `${input.path}: analysis failed (${why})` }] }),
      });
      const request: WorkerRequest = { id, input: { path: input.path, packagePath: input.packagePath, size: input.size }, bytes: buf, options: this.options };
      // Keep the process alive while the worker holds work, and only then.
      worker.ref();
      worker.postMessage(request, owns ? [buf.buffer as ArrayBuffer] : []);
    });
  }

  private start(): { worker: Worker; ready: Promise<boolean> } | undefined {
    if (this.started) return this.started;
    let worker: Worker;
    try {
      worker = new Worker(this.workerUrl as URL);
    } catch {
      this.broken = true;
      return undefined;
    }
    // 'online' fires before the module loads; the worker says it is ready once it has.
    const ready = new Promise<boolean>((resolve) => {
      worker.on('message', (msg: WorkerResponse | { ready: true }) => {
        if ('ready' in msg) resolve(true);
      });
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    worker.on('message', (msg: WorkerResponse | { ready: true }) => {
      if ('ready' in msg) return;
      const job = this.pending.get(msg.id);
      if (!job) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if ('result' in msg) job.resolve(msg.result);
      else job.fail(msg.error.split('\n')[0]);
    });
    // A worker that dies holding files fails them closed (exit 2); later files stay here.
    const fail = (why: string) => {
      this.broken = true;
      const jobs = [...this.pending.values()];
      this.pending.clear();
      for (const job of jobs) job.fail(why);
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(`the analysis worker exited with code ${code}`);
    });
    this.started = { worker, ready };
    return this.started;
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (started) await started.worker.terminate();
  }
}

function emptyFacts(input: FileInput): FileFacts {
  return { path: input.path, packagePath: input.packagePath, size: input.size, inlineMaps: [], directives: [], private: [], originalSource: false, forbidden: [] };
}
