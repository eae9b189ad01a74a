import type { MapExposure } from '../core/findings.js';
import type { ExposedSource } from './exposure.js';
import type { Directive } from './references.js';
import type { MapSummary } from './sourcemap.js';

// What the per-file pass learns while the bytes are in hand. Rules work on these facts only,
// after the whole target has streamed by (linking needs to know every file).

export interface Position {
  line: number;
  column: number;
}

export interface MapFact {
  inline: boolean;
  /** How it was found: file, gzip, brotli, xssi-prefixed, inline-base64, inline-percent. */
  form: string[];
  /** Where an inline map starts in its file. */
  position?: Position;
  summary: MapSummary;
  sources: ExposedSource[];
  exposure: MapExposure;
}

export interface DirectiveFact extends Directive {
  /** Absent inside compressed files (a position there would point at unseen bytes). */
  position?: Position;
}

export interface ForbiddenHit {
  /** The config entry's label, e.g. `forbid[2]`: never the string. */
  rule: string;
  /** Where it was seen: `code`, `sourcesContent[3]`, `inline map 2 sourcesContent[0]`... */
  where: string[];
  count: number;
  /** First hit in the file's own text, when there is one. */
  position?: Position;
}

export type PrivateKind = 'pillbox-dir' | 'manifest' | 'key' | 'config-with-forbid';

export interface FileFacts {
  path: string;
  packagePath: string;
  size: number;
  /** Set when the file itself is a source map (found by content). */
  fileMap?: MapFact;
  inlineMaps: MapFact[];
  directives: DirectiveFact[];
  private: PrivateKind[];
  originalSource: boolean;
  forbidden: ForbiddenHit[];
}

export interface PackageFacts {
  target: string;
  files: FileFacts[];
  byPackagePath: Map<string, FileFacts>;
}
