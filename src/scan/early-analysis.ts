import { KEY_PATTERN, KEY_PREFIX } from '../core/key.js';
import { isCompressedName, MAP_HEAD_BYTES, MapWalk, opensLikeMap, type MapSniff } from './sourcemap.js';
import { skipJsonSpace } from './bytes.js';
import type { ReadObserver } from './types.js';

// The parts of a file's analysis that can run while its bytes arrive. A tarball entry streams
// into its buffer chunk by chunk while decompression goes on (on a worker); a 60 MB map walked
// only once all of it is there would be walked after decompression has ended. Both parts are
// written to be fed in order, and analyseFile feeds them the whole buffer at once, so the
// results are the same by construction (test/scan-early.test.ts checks it at every split).

const KEY_TAIL = Buffer.from('k1_', 'latin1');
/** Bytes of a key candidate's window from the start of its prefix (see keyWindowAt). */
const KEY_WINDOW_AFTER = 49;

/**
 * Finds a `pbk1_` key (KEY_PATTERN) in bytes fed in order. `k1_` is a much faster needle than
 * `pbk1_` (k is rare in code and text); each hit is checked in a window around it.
 */
export class KeySearch {
  found = false;
  /** The next tail search starts here. */
  private from = 0;

  constructor(private readonly buf: Buffer) {}

  /** Bytes [0, filled) have arrived; `complete` when that is all of them. */
  feed(filled: number, complete: boolean): void {
    if (this.found) return;
    const buf = this.buf;
    const view = filled === buf.length ? buf : buf.subarray(0, filled);
    for (let tail = view.indexOf(KEY_TAIL, this.from); tail >= 0; tail = view.indexOf(KEY_TAIL, tail + KEY_TAIL.length)) {
      const at = tail + KEY_TAIL.length - KEY_PREFIX.length;
      if (at < 0 || buf.toString('latin1', at, tail + KEY_TAIL.length) !== KEY_PREFIX) continue;
      if (at + KEY_WINDOW_AFTER > filled && !complete) {
        // Its window has not all arrived: look at this candidate again with more bytes.
        this.from = tail;
        return;
      }
      // One byte before (for \b) to one after the 43 key characters (the lookahead).
      if (KEY_PATTERN.test(buf.toString('latin1', Math.max(0, at - 1), Math.min(at + KEY_WINDOW_AFTER, filled)))) {
        this.found = true;
        return;
      }
    }
    // A tail may straddle the end of what has arrived.
    this.from = Math.max(this.from, filled - (KEY_TAIL.length - 1));
  }
}

/** What EarlyAnalysis hands analyseFile. */
export interface EarlyResults {
  key: boolean;
  /** What sniffMap gives for the (uncompressed) file, when the walk ran early. */
  sniff?: MapSniff;
}

/**
 * A ReadObserver that runs the key search and, for a file that starts like a source map (the
 * case sniffMap walks at once), the map walk, as the bytes arrive.
 */
export class EarlyAnalysis implements ReadObserver {
  private buf: Buffer | undefined;
  private keys: KeySearch | undefined;
  /** undefined: not decided yet; null: not walked early (analyseFile decides). */
  private map: MapWalk | null | undefined;
  private filled = 0;
  private broken = false;

  constructor(private readonly packagePath: string) {}

  begin(buf: Buffer): void {
    this.buf = buf;
    this.keys = new KeySearch(buf);
  }

  progress(filled: number): void {
    const buf = this.buf;
    if (!buf || this.broken) return;
    try {
      this.filled = filled;
      const complete = filled === buf.length;
      this.keys?.feed(filled, complete);
      if (this.map === undefined) this.map = this.startMap(buf, filled, complete);
      else this.map?.grow(filled, complete);
    } catch {
      // Never on purpose; the whole-buffer analysis then does it all.
      this.broken = true;
    }
  }

  /** The results for `buf`, when it is the buffer observed and all of it has arrived. */
  results(buf: Buffer): EarlyResults | undefined {
    if (this.broken || buf !== this.buf || this.filled !== buf.length || !this.keys) return undefined;
    if (this.map && !this.map.result) return undefined;
    return { key: this.keys.found, sniff: this.map?.result };
  }

  /**
   * sniffMap's first steps on what has arrived: a map walk starts only for an uncompressed file
   * without a `)]}'` line whose first bytes match MAP_HEAD; everything else is left to sniffMap.
   */
  private startMap(buf: Buffer, filled: number, complete: boolean): MapWalk | null | undefined {
    if (filled < 2 && !complete) return undefined;
    if ((buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) || isCompressedName(this.packagePath) === 'brotli') return null;
    const start = skipJsonSpace(buf.subarray(0, filled));
    if (start > MAP_HEAD_BYTES) return null;
    if (start + MAP_HEAD_BYTES > filled && !complete) return undefined;
    // A `)]}'` line or anything but an object: not a map walked at once.
    if (!opensLikeMap(buf, start)) return null;
    return new MapWalk(buf, start, [], filled, complete);
  }
}
