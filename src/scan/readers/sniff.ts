import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';

// Content sniffing: what a file is, from its first bytes, whatever it is named.
// Containers beyond tar (wasm, zip/crx/vsix, asar) are recognised here so that readers for
// them can be registered later without changing the callers.

export type SniffedKind = 'gzip' | 'tar' | 'zip' | 'wasm' | 'xz' | 'bzip2' | 'zstd' | 'unknown';

/** How many leading bytes `sniffKind` wants (a tar header is one 512-byte block). */
export const SNIFF_BYTES = 512;

const TAR_MAGIC_OFFSET = 257;

/** Classifies a file by its magic bytes. Pass at least `SNIFF_BYTES` bytes when available. */
export function sniffKind(firstBytes: Uint8Array): SniffedKind {
  const b = firstBytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (isTarHeader(b)) return 'tar';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x43, 0x72, 0x32, 0x34])) return 'zip'; // zip, crx
  if (startsWith(b, [0x00, 0x61, 0x73, 0x6d])) return 'wasm';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(b, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return 'unknown';
}

/**
 * A ustar or GNU tar header: the `ustar` magic at offset 257. tar-stream rejects the pre-POSIX
 * v7 format too, so both agree on what a tarball is.
 */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  const magic = Buffer.from(block.buffer, block.byteOffset + TAR_MAGIC_OFFSET, 5).toString('latin1');
  return magic === 'ustar';
}

/** Names that promise a tarball: a file so named that is not one is an error, not a plain file. */
export function hasArchiveName(name: string): boolean {
  // Tarballs under other compressions are named here too: they are refused, not passed off as
  // one opaque file that scans clean.
  return /\.(tgz|taz|tar|tar\.gz|tar\.(xz|bz2|zst|br)|txz|tbz2?)$/i.test(name);
}

export type FileShape =
  | { kind: 'tarball'; gzip: boolean }
  | { kind: 'gzip-not-tar' }
  | { kind: 'corrupt-gzip'; reason: string }
  | { kind: 'other'; sniffed: SniffedKind; size: number };

/** Reads just enough of a file to tell a (gzipped) tarball from anything else. Throws fs errors. */
export async function sniffFile(absPath: string): Promise<FileShape> {
  const handle = await open(absPath, 'r');
  try {
    const { size } = await handle.stat();
    // 4 KiB of deflate inflates to at most ~4 MiB, so the peek stays cheap even for a bomb.
    for (const want of [4096, 65536]) {
      const head = Buffer.alloc(Math.min(want, size));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const bytes = head.subarray(0, bytesRead);
      const kind = sniffKind(bytes);
      if (kind === 'tar') return { kind: 'tarball', gzip: false };
      if (kind !== 'gzip') return { kind: 'other', sniffed: kind, size };
      let inner: Buffer;
      try {
        // SYNC_FLUSH: decode what the prefix holds instead of failing on the missing rest.
        inner = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (err) {
        return { kind: 'corrupt-gzip', reason: zlibReason(err) };
      }
      if (inner.length >= 512) {
        return isTarHeader(inner) ? { kind: 'tarball', gzip: true } : { kind: 'gzip-not-tar' };
      }
      if (bytesRead >= size || want === 65536) {
        // Little output from the whole file: tell a truncated stream from a tiny valid one.
        try {
          gunzipSync(bytes);
        } catch (err) {
          return { kind: 'corrupt-gzip', reason: zlibReason(err) };
        }
        return { kind: 'gzip-not-tar' };
      }
    }
    /* c8 ignore next */
    throw new Error('unreachable');
  } finally {
    await handle.close();
  }
}

/** "incorrect header check (Z_DATA_ERROR)" and the like, for zlib failures. */
export function zlibReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = e?.message ?? String(err);
  return e?.code ? `${message} (${e.code})` : message;
}

function startsWith(b: Uint8Array, magic: number[]): boolean {
  return b.length >= magic.length && magic.every((byte, i) => b[i] === byte);
}
