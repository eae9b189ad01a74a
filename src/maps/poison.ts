import type { AnyMap } from './sourcemap.js';

// poison: decoy source entries mapped from the decoys planted in the bundle. (Being written.)
export function poisonMap(map: AnyMap, code: string, decoyNames: readonly string[]): AnyMap {
  void code;
  void decoyNames;
  return map;
}
