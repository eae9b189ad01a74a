import { parentPort } from 'node:worker_threads';
import { analyseFile } from './analyse-file.js';
import type { WorkerRequest, WorkerResponse } from './worker-pool.js';

// The scan worker: analyses large files off the main thread, so that reading (gunzip, tar) of
// the next entries goes on meanwhile. Built as its own entry (dist/scan-worker.js).

const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest) => {
    let response: WorkerResponse;
    try {
      const buf = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
      response = { id: msg.id, result: analyseFile(msg.input, buf, msg.options) };
    } catch (err) {
      response = { id: msg.id, error: (err as Error).stack ?? String(err) };
    }
    port.postMessage(response);
  });
  port.postMessage({ ready: true });
}
