import { createHmac } from 'node:crypto';

// A deterministic keyed byte stream: HMAC-SHA256(subkey, label || counter) blocks. Choices are
// exactly uniform (rejection sampling), so a decoy's entropy is just the sum of log2 of the sizes
// it chose from, and the same key and label always give the same choices.

export class KeyedStream {
  private block: Buffer = Buffer.alloc(0);
  private used = 0;
  private counter = 0;
  /** log2 of the number of equally likely outcomes chosen so far (see `take`). */
  bits = 0;

  constructor(
    private readonly subkey: Buffer,
    private readonly label: string,
  ) {}

  private nextUint32(): number {
    if (this.used + 4 > this.block.length) {
      this.block = createHmac('sha256', this.subkey).update(`${this.label}#${this.counter++}`).digest();
      this.used = 0;
    }
    const value = this.block.readUInt32BE(this.used);
    this.used += 4;
    return value;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new Error(`bad range ${n}`);
    if (n === 1) return 0;
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const v = this.nextUint32();
      if (v < limit) return v % n;
    }
  }

  /** A uniform pick that counts towards `bits` (an identity choice). */
  take<T>(items: readonly T[]): T {
    this.bits += Math.log2(items.length);
    return items[this.int(items.length)];
  }

  /** A uniform pick that does not count towards `bits` (decoration: descriptions, schemas). */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** True with probability p (to 1/2^16). */
  chance(p: number): boolean {
    return this.int(65536) < Math.round(p * 65536);
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
