// Shapes shared by the decoy engine (src/decoys), the plugins (src/adapters) and `detect`
// (src/detect). The manifest plaintext below is what the sealed envelope holds
// (src/core/manifest-envelope.ts); it is never written anywhere unencrypted.

export type Tier = 'product' | 'channel' | 'release';
export const TIERS: readonly Tier[] = ['product', 'channel', 'release'];

export interface DecoyParameter {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  description: string;
  enum?: string[];
}

export interface DecoyTool {
  kind: 'tool';
  name: string;
  description: string;
  parameters: DecoyParameter[];
  required: string[];
}

export interface DecoyFlag {
  kind: 'flag';
  name: string;
}

export type DecoyBody = DecoyTool | DecoyFlag;

export type Decoy = DecoyBody & {
  /** Stable id within its tier, e.g. `product/3`, `release/npm/2.1.88/control/5`. Not secret, not shipped. */
  id: string;
  tier: Tier;
  /** Controls are generated exactly like decoys and never shipped: they measure the null rate. */
  control: boolean;
  /** log2 of the number of equally likely values the generator could have chosen for this identity. */
  entropyBits: number;
  /** Set when a persisted decoy was replaced because it now collides with a real name. */
  retired?: { release: string; reason: string };
};

export interface Placement {
  decoyId: string;
  /** Output file name relative to the output directory. */
  file: string;
  /** The kind of guard/shape used (e.g. `switch-case`, `typeof-guard`); never a fixed marker. */
  form: string;
}

export interface ManifestPlaintext {
  format: 'pillbox-manifest/v1';
  keyId: string;
  channel: string;
  release: string;
  /** pillbox version that wrote it. */
  generator: string;
  /** The learned style (see src/decoys), kept so that later builds and `detect` can explain themselves. */
  style: unknown;
  /** Every decoy of every tier, shipped and control, retired ones included. */
  decoys: Decoy[];
  placements: Placement[];
}
