// The fast path of JsonCursor.readString: the WebAssembly loop compiled from
// wasm/json-strings/strings.ts (see there for why), run over a window of the map's bytes copied
// into its memory. The window slides forward with the walk, so each byte is copied about once.
// Where the module stops undecided (the end of what has arrived, an escape near a window's end,
// a bad escape), the JavaScript loop in json-walk.ts goes on: it stays the one reference for
// every edge and error, and test/scan-json-strings.test.ts checks the two agree.

import { moduleFromBase64, WebAssembly } from '../core/webassembly.js';
import { JSON_STRINGS_WASM_BASE64 } from './json-strings-wasm.generated.js';

interface StringsExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  out(): number;
  heap(): number;
  scan(p: number, limit: number): number;
  skipStrings(p: number, limit: number): number;
}

/** Bytes mirrored per copy; test code shrinks it to put window ends everywhere. */
let windowBytes = 1024 * 1024;

// null: this process has no WebAssembly (node --jitless), and the JavaScript loop does it all.
interface Kernel {
  exports: StringsExports;
  bytes: Uint8Array;
  out: Int32Array;
  base: number;
}
let kernel: Kernel | null | undefined;
// The mirrored window: [mirrorStart, mirrorEnd) of `mirrorOwner`'s buffer, at `base`. Held
// weakly: a finished walk's cursor, and the 60 MB map it points into, must not stay alive here.
let mirrorOwner: WeakRef<object> | undefined;
let mirrorStart = 0;
let mirrorEnd = 0;

/** The module, or null when this process cannot run it: the JavaScript loop then does all. */
function load(): Kernel | null {
  if (!WebAssembly) return null;
  try {
    const instance = new WebAssembly.Instance(moduleFromBase64(WebAssembly, JSON_STRINGS_WASM_BASE64), {
      env: { abort: () => {} },
    });
    const exports = instance.exports as unknown as StringsExports;
    const base = exports.heap();
    // The window, plus 16 bytes so that no load near its end reads outside the memory.
    const need = base + windowBytes + 16 - exports.memory.buffer.byteLength;
    if (need > 0) exports.memory.grow(Math.ceil(need / 65536));
    return { exports, bytes: new Uint8Array(exports.memory.buffer), out: new Int32Array(exports.memory.buffer, exports.out(), 4), base };
  } catch {
    return null;
  }
}

function kernelOrNull(): Kernel | null {
  if (kernel === undefined) kernel = load();
  return kernel;
}

/** Counts gathered by the last `scanStringBytes`. */
export const scanned = { reduction: 0, newlines: 0, lastNewlineEnd: -1, at: 0 };

/**
 * Scans the string bytes of `buf` from `p` (inside a string, after its opening quote or after
 * an escape) towards `limit` (the end of the bytes that have arrived). Returns the offset of the
 * closing quote, or -1 when it stopped undecided at `scanned.at`. `scanned` holds what the
 * escapes in [p, quote or at) took away from the decoded length, the LFs they encode and where
 * the last one ended (-1: none). `owner` names the buffer's bytes: they must not change while
 * it uses them.
 */
export function scanStringBytes(owner: object, buf: Uint8Array, p: number, limit: number): number {
  const k = kernelOrNull();
  if (k === null) {
    scanned.reduction = 0;
    scanned.newlines = 0;
    scanned.lastNewlineEnd = -1;
    scanned.at = p;
    return -1;
  }
  let reduction = 0;
  let newlines = 0;
  let lastNewlineEnd = -1;
  let result = -1;
  let at = p;
  for (;;) {
    mirror(k, owner, buf, at, limit);
    const delta = mirrorStart - k.base;
    const r = k.exports.scan(at - delta, mirrorEnd - delta);
    const out = k.out;
    reduction += out[0];
    newlines += out[1];
    if (out[2] >= 0) lastNewlineEnd = out[2] + delta;
    if (r >= 0) {
      result = r + delta;
      break;
    }
    at = out[3] + delta;
    // Undecided at the window's end while more bytes have arrived: slide the window on.
    if (r === -1 && mirrorEnd < limit) continue;
    break;
  }
  scanned.reduction = reduction;
  scanned.newlines = newlines;
  scanned.lastNewlineEnd = lastNewlineEnd;
  scanned.at = result >= 0 ? result : at;
  return result;
}

/**
 * Skips the string elements of an array from `p` (an opening quote) on, as far as they go
 * within the window: returns the offset just after the last one (p: not one ended there). The
 * caller's walk goes on from there and reads whatever stopped the run: the array's end, another
 * kind of value, an error, or the string the window ends in (and calls again after it).
 */
export function skipStringElements(owner: object, buf: Uint8Array, p: number, limit: number): number {
  const k = kernelOrNull();
  if (k === null) return p;
  mirror(k, owner, buf, p, limit);
  const delta = mirrorStart - k.base;
  return k.exports.skipStrings(p - delta, mirrorEnd - delta) + delta;
}

/** Makes the window hold `buf` from `at` on (up to limit), copying only when it does not. */
function mirror(k: Kernel, owner: object, buf: Uint8Array, at: number, limit: number): void {
  if (mirrorOwner?.deref() === owner && at >= mirrorStart && at < mirrorEnd && (mirrorEnd >= limit || mirrorEnd - at >= 64)) return;
  const end = Math.min(limit, at + windowBytes);
  k.bytes.set(buf.subarray(at, end), k.base);
  mirrorOwner = new WeakRef(owner);
  mirrorStart = at;
  mirrorEnd = end;
}

/**
 * For tests: copy `bytes` per window (small values put window ends inside every escape and
 * between every element); 0 turns the module off, as in a process without WebAssembly, so
 * that the JavaScript loop does all.
 */
export function setStringWindowForTest(bytes: number): void {
  windowBytes = Math.max(16, bytes);
  kernel = bytes === 0 ? null : undefined;
  mirrorOwner = undefined;
}

/** For tests: whether the module runs in this process (with the current window). */
export function stringKernelLoadedForTest(): boolean {
  return kernelOrNull() !== null;
}
