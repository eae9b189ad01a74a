import { formatCount } from '../core/format-count.js';
import { bytes } from './growth.js';

// Progress for long scans, on a terminal only: one line on stderr, rewritten in place, saying
// files and bytes read and, when the total is known, about how long is left. Silent when
// stderr is not a TTY (CI logs, pipes) and for scans that end within the first second.

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  /** Bytes the scan will read, when known (pack lists); enables the time-left estimate. */
  expectedBytes?: number;
  now?: () => number;
  /** Nothing is shown before this many ms (short scans stay quiet). */
  delayMs?: number;
  /** At most one redraw per this many ms. */
  intervalMs?: number;
}

export interface Progress {
  update(p: { files: number; bytes: number }): void;
  /** Clears the line. */
  done(): void;
}

const QUIET: Progress = { update() {}, done() {} };

export function createProgress(opts: ProgressOptions): Progress {
  if (!opts.isTTY) return QUIET;
  const now = opts.now ?? Date.now;
  const delay = opts.delayMs ?? 1000;
  const interval = opts.intervalMs ?? 100;
  const start = now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(p) {
      const t = now();
      if (t - start < delay || t - lastDraw < interval) return;
      lastDraw = t;
      drawn = true;
      opts.write(`\r\x1b[K${progressLine(p, t - start, opts.expectedBytes)}`);
    },
    done() {
      if (drawn) opts.write('\r\x1b[K');
    },
  };
}

/** `scanning: 1,204 files, 48.2 MB of 120 MB, about 9 s left`. */
export function progressLine(p: { files: number; bytes: number }, elapsedMs: number, expectedBytes?: number): string {
  let line = `pillbox: scanning ${formatCount(p.files)} files, ${bytes(p.bytes)}`;
  if (expectedBytes !== undefined && expectedBytes > 0) {
    line += ` of ${bytes(expectedBytes)}`;
    if (p.bytes > 0 && p.bytes < expectedBytes) {
      const left = ((expectedBytes - p.bytes) * elapsedMs) / p.bytes / 1000;
      line += `, about ${left < 1 ? '1' : Math.round(left)} s left`;
    }
  } else {
    line += `, ${Math.round(elapsedMs / 1000)} s`;
  }
  return line;
}
