import { open } from 'node:fs/promises';

// The uncompressed size a .tgz announces in its gzip trailer (ISIZE, RFC 1952: the size modulo
// 2^32 of the last member), used only to estimate the time left in progress lines.

/** Undefined when the file is not gzip, or when the trailer cannot be trusted (> 4 GiB). */
export async function gzipUncompressedSize(path: string): Promise<number | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size < 18) return undefined;
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return undefined;
    const tail = Buffer.alloc(4);
    await handle.read(tail, 0, 4, size - 4);
    const isize = tail.readUInt32LE(0);
    // A stream that wrapped past 4 GiB (or a multi-member file) can announce less than its
    // compressed size: no estimate then.
    return isize >= size ? isize : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
