// "Binaries" for the bench tarballs: slices of the running `node` executable (real machine code,
// compressing as shipped native binaries do), and a little incompressible noise (images, fonts).

import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { rng } from './prng.mjs';

/** `length` bytes of the node executable from `offset` (wrapping around when it is shorter). */
export function nodeBinarySlice(offset, length) {
  const fd = openSync(process.execPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const at = (offset + done) % size;
      const n = readSync(fd, out, done, Math.min(length - done, size - at), at);
      if (n === 0) break;
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Incompressible bytes behind a PNG signature (stands for images, fonts, wasm blobs). */
export function noiseImage(seed, length) {
  const r = rng(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 4) out.writeUInt32LE(Math.floor(r.next() * 4294967296), Math.min(i, length - 4));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(out, 0);
  return out;
}
