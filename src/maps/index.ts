import type { SourcemapMode } from '../core/plugin-options.js';
import { findTrailingDirectives, removeDirectives, sourceMappingComment, type CodeLanguage, type Directive, type DirectiveKind } from './comments.js';
import { decodeDataUriMap, dropSourcesContent, encodeDataUriMap, isLocalAbsolutePath, relativiseLocalPaths, type AnyMap, type PathContext } from './sourcemap.js';

export * from './comments.js';
export * from './sourcemap.js';

// One code file (JS or CSS) and its map, transformed as a mode says:
//   (fileName, code, map?) -> { code, map?, drop?, hidden? }
// Pure: callers do the file system (writing hidden maps, deleting assets).

/** Which directive comments each mode removes from code. */
export const DIRECTIVES_REMOVED: Record<SourcemapMode, readonly DirectiveKind[]> = {
  strip: ['sourceMappingURL', 'debugId', 'sourceURL'],
  // Error trackers match uploaded maps by debugId: keep it.
  hidden: ['sourceMappingURL'],
  nosources: [],
  poison: [],
  keep: [],
};

export interface PairInput {
  fileName: string;
  lang: CodeLanguage;
  code: string;
  /** The external map paired with this file, parsed (inline maps are found in `code`). */
  map?: AnyMap | null;
  /** Absolute paths used to make sources relative (nosources/poison). */
  paths: PathContext;
  /** poison: adds decoy sources to a map already made nosources. */
  poison?: (map: AnyMap, code: string) => AnyMap;
  /** The trailing directives of `code`, when the caller already found them. */
  directives?: readonly Directive[];
}

export interface PairResult {
  code: string;
  /** The external map to keep (rewritten for nosources/poison); undefined when it goes. */
  map?: AnyMap;
  /** The external map asset must be removed from the output. */
  dropMap: boolean;
  /** hidden: the map to write outside the output (external or formerly inline). */
  hiddenMap?: AnyMap;
  /** Directive comments removed from the code. */
  removed: Directive[];
  /** An inline (data: URI) map was present. */
  hadInlineMap: boolean;
}

export function transformPair(mode: SourcemapMode, input: PairInput): PairResult {
  const directives = input.directives ?? findTrailingDirectives(input.code, input.lang);
  const reference = directives.filter((d) => d.kind === 'sourceMappingURL').pop();
  const inline = reference && reference.value.startsWith('data:') ? decodeDataUriMap(reference.value) : null;
  const external = input.map ?? undefined;
  const base = { hadInlineMap: inline !== null };

  if (mode === 'keep') return { code: input.code, map: external, dropMap: false, removed: [], ...base };

  if (mode === 'strip' || mode === 'hidden') {
    const { code, removed } = removeDirectives(input.code, input.lang, DIRECTIVES_REMOVED[mode], undefined, directives);
    const hiddenMap = mode === 'hidden' ? (external ?? inline ?? undefined) : undefined;
    return { code, dropMap: true, hiddenMap, removed, ...base };
  }

  // nosources / poison: maps stay and stay referenced, without content or local paths.
  const scrub = (map: AnyMap, code: string): AnyMap => {
    const clean = relativiseLocalPaths(dropSourcesContent(map), input.paths);
    return mode === 'poison' && input.poison ? input.poison(clean, code) : clean;
  };
  let code = input.code;
  if (reference && inline) {
    const replacement = sourceMappingComment(encodeDataUriMap(scrub(inline, code)), input.lang);
    code = code.slice(0, reference.start) + replacement + code.slice(reference.end);
  }
  // A local absolute sourceURL names the build machine's tree: drop it.
  const { code: cleaned, removed } = removeDirectives(code, input.lang, ['sourceURL'], (d) => isLocalAbsolutePath(d.value), code === input.code ? directives : undefined);
  code = cleaned;
  return { code, map: external ? scrub(external, code) : undefined, dropMap: false, removed, ...base };
}
