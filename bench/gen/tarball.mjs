// Writes a gzipped tarball the way `npm pack` lays one out (every entry under `package/`),
// with tar-stream (the same library the scanner reads with) and Node's zlib at its default level.

import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';

/**
 * @param {string} file the .tgz to write
 * @param {Array<{ name: string, data: Buffer | string }>} entries names relative to `package/`
 */
export async function writeTarball(file, entries) {
  mkdirSync(dirname(file), { recursive: true });
  const pack = tarStream.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(file));
  for (const { name, data } of entries) {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    await new Promise((resolve, reject) => {
      pack.entry({ name: `package/${name}`, size: body.length, mode: 0o644, mtime: new Date(499162500000) }, body, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return file;
}
