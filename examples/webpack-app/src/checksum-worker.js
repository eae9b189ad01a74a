import { parentPort } from 'node:worker_threads';

parentPort.on('message', (text) => {
  let hash = 2166136261;
  for (const ch of text) hash = Math.imul(hash ^ ch.codePointAt(0), 16777619) >>> 0;
  parentPort.postMessage(hash.toString(16).padStart(8, '0'));
});
