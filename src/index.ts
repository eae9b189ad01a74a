// pillbox public API. Bundler adapters live at pillbox/<bundler>.
export * from './core/findings.js';
export { FINDING_CODES, ERROR_CODES, codeInfo } from './core/codes.js';
export type { FindingCode, ErrorCode, CodeInfo } from './core/codes.js';
export { generateKey, parseKey, keyId, resolveKey, KeyError } from './core/key.js';
export { sealManifest, openManifest, isManifestEnvelope } from './core/manifest-envelope.js';
export type { ManifestEnvelope } from './core/manifest-envelope.js';
export type * from './core/decoy-types.js';
export { VERSION } from './core/version.js';
export { scan } from './scan/engine.js';
export type { ScanOptions } from './scan/engine.js';
export { detect, DEFAULT_THRESHOLD as DETECT_DEFAULT_THRESHOLD, formatDetect, DetectSetupError } from './detect/index.js';
export type { DetectOptions, DetectReport, ScopeResult, DecoyHit, HitLocation, DetectFormat } from './detect/index.js';
