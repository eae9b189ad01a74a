import type { Rule } from './types.js';
import { sourceMapWithContent } from './source-map-with-content.js';
import { inlineSourceMapWithContent } from './inline-source-map-with-content.js';
import { sourceMap } from './source-map.js';
import { inlineSourceMap } from './inline-source-map.js';
import { originalSourceRecoverable } from './original-source-recoverable.js';
import { originalSource } from './original-source.js';
import { forbiddenString } from './forbidden-string.js';
import { pillboxPrivateFile } from './pillbox-private-file.js';
import { danglingReference } from './dangling-reference.js';
import { remoteReference } from './remote-reference.js';
import { localPath } from './local-path.js';
import { remoteSource } from './remote-source.js';
import { sourceUrl } from './source-url.js';
import { debugId } from './debug-id.js';

/** Every rule the scanner runs (release-size-growth belongs to --compare-previous). */
export const RULES: readonly Rule[] = [
  sourceMapWithContent,
  inlineSourceMapWithContent,
  sourceMap,
  inlineSourceMap,
  originalSourceRecoverable,
  originalSource,
  forbiddenString,
  pillboxPrivateFile,
  danglingReference,
  remoteReference,
  localPath,
  remoteSource,
  sourceUrl,
  debugId,
];

export type { Rule, RuleContext } from './types.js';
