// 'worker_threads' rather than 'node:worker_threads': webpack 5.113 mis-compiles
// `new Worker(new URL(...))` when Worker comes from the node: form.
import { Worker } from 'worker_threads';

export function checksumInWorker(text) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./checksum-worker.js', import.meta.url));
    worker.once('message', (value) => {
      worker.terminate();
      resolve(value);
    });
    worker.once('error', reject);
    worker.postMessage(text);
  });
}
