// Counts with thousands separators ("1,240"), as `toLocaleString('en-US')` writes them, without
// Intl: the first toLocaleString() call loads ICU's locale data, about 70 ms of every scan on
// this machine (bench/scan-*.bench.mjs), for a comma every three digits.

export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return n < 0 ? `-${out}` : out;
}
