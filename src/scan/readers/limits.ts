import { DEFAULT_LIMITS, type ScanLimits } from '../types.js';

/** Ratios are only judged once this much has been decompressed: tiny streams vary too much. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export function resolveLimits(overrides: Partial<ScanLimits> | undefined): ScanLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ScanLimits>) {
    const value = overrides?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new TypeError(`scan limit ${key} must be a positive number, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
