// detect's public surface: `detect()` for the CLI and library users, the pieces for tools that
// search their own streams (DecoySearch over compiled targets) or judge a finished search.
export { detect, judge, meaningOf, DEFAULT_THRESHOLD } from './detect.js';
export type { DetectOptions, DetectReport, ScopeResult, DecoyHit } from './detect.js';
export { loadManifests, mergeScopes, scopeId, DetectSetupError } from './manifests.js';
export type { Scope, ScopeRef, LoadedManifests, LoadOptions } from './manifests.js';
export { compileTargets, fold } from './patterns.js';
export type { Compiled, Target, MatchKind } from './patterns.js';
export { DecoySearch, MAX_LOCATIONS } from './search.js';
export type { HitLocation, MatchForm, TargetHits } from './search.js';
export { readInputs } from './inputs.js';
export type { InputEntry, InputSummary, InputError } from './inputs.js';
export { formatDetect, formatText, toSarif, verdictLine, DETECT_FORMATS } from './format.js';
export type { DetectFormat } from './format.js';
export { REFERENCE } from './reference.js';
export type { ReferenceCalibration } from './reference.js';
