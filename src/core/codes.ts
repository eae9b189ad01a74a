import type { Severity } from './findings.js';

// Every finding code pillbox can report. Codes are stable: add new ones, never rename.
// The README's "Finding codes" table is checked against this list by a test.

export interface CodeInfo {
  severity: Severity;
  /** One line: what was found. */
  title: string;
  /** One line: how to fix it. */
  fix: string;
}

export const FINDING_CODES = {
  'source-map-with-content': {
    severity: 'critical',
    title: 'A source map whose sourcesContent holds original source is shipped.',
    fix: 'Do not publish maps: build with pillbox({ sourcemaps: "strip" }) or "hidden", or exclude *.map via package.json "files".',
  },
  'inline-source-map-with-content': {
    severity: 'critical',
    title: 'An inline data: URI source map with sourcesContent is embedded in shipped code.',
    fix: 'Turn off inline maps for production (tsc inlineSourceMap, esbuild sourcemap: "inline", webpack eval-source-map) or use pillbox({ sourcemaps: "strip" }).',
  },
  'source-map': {
    severity: 'high',
    title: 'A source map without sourcesContent is shipped; it reveals file paths and identifier names.',
    fix: 'Keep maps out of the package (pillbox "hidden" mode uploads-only), or allow it in pillbox.config with a reason.',
  },
  'inline-source-map': {
    severity: 'high',
    title: 'An inline source map without sourcesContent is embedded in shipped code.',
    fix: 'Turn off inline source maps for production builds, or strip them with pillbox.',
  },
  'original-source-recoverable': {
    severity: 'critical',
    title: 'Original sources are shipped and a shipped source map points at them.',
    fix: 'Remove the sources from the package ("files" in package.json) and the map that points at them.',
  },
  'original-source': {
    severity: 'high',
    title: 'Original source files (.ts, .tsx, .vue, .svelte; not .d.ts) are shipped.',
    fix: 'List only built output in package.json "files" (e.g. "dist"), or allow it with a reason if publishing source is intended.',
  },
  'forbidden-string': {
    severity: 'critical',
    title: 'A string forbidden by the config appears in shipped code or inside a source map.',
    fix: 'Remove the string from the build (and from maps: a map re-ships pre-dead-code-elimination source).',
  },
  'pillbox-private-file': {
    severity: 'critical',
    title: 'A pillbox private file is shipped: a decoy manifest, a hidden map, a key file, or a config holding forbid.',
    fix: 'Run `pillbox init` to keep .pillbox/ and pillbox.config.* out of the package; rotate the key if a key file shipped.',
  },
  'dangling-reference': {
    severity: 'medium',
    title: 'A sourceMappingURL comment points at a map that is not shipped.',
    fix: 'Strip reference comments when maps are removed (pillbox strip/hidden modes do).',
  },
  'remote-reference': {
    severity: 'medium',
    title: 'A sourceMappingURL comment points at a remote URL (reported, never fetched).',
    fix: 'Serve private maps only to your error tracker; remove the public reference.',
  },
  'local-path': {
    severity: 'medium',
    title: 'A source map or sourceURL holds an absolute, file:// or home-directory path.',
    fix: 'Build with relative sources (pillbox "nosources" rewrites them) or keep maps out of the package.',
  },
  'remote-source': {
    severity: 'medium',
    title: 'A source map points its sources or sourceRoot at a remote URL.',
    fix: 'Remove remote sources/sourceRoot from shipped maps; they tell anyone where the originals live.',
  },
  'source-url': {
    severity: 'low',
    title: 'A //# sourceURL comment names original files.',
    fix: 'Use a production devtool setting without eval/sourceURL, or strip it with pillbox.',
  },
  'debug-id': {
    severity: 'low',
    title: 'A //# debugId comment (or a map debugId) hints that maps exist elsewhere.',
    fix: 'Expected with private maps uploaded to an error tracker; allow it in the config if so.',
  },
  'release-size-growth': {
    severity: 'medium',
    title: 'This release is much larger than the previous one (--compare-previous).',
    fix: 'Check what grew: an unexpected large file is how the incident release looked.',
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (FINDING_CODES as Record<string, CodeInfo>)[code];
}

// Errors (exit code 2). Also stable.
export const ERROR_CODES = {
  'not-found': 'The target does not exist.',
  'unreadable': 'A file or directory could not be read (permissions, I/O).',
  'corrupt-archive': 'An archive is corrupt or truncated (gzip or tar).',
  'not-an-archive': 'A file named as an archive is not one.',
  'unsafe-entry': 'An archive entry or link points outside the scanned root.',
  'too-large': 'A file or decompressed stream exceeded the configured limit (e.g. a gzip bomb).',
  'invalid-map': 'A file that looks like a source map could not be parsed.',
  'bad-config': 'The configuration is invalid.',
  'bad-usage': 'The command line is invalid.',
  'pack-failed': 'The package manager could not list what it would publish.',
  'empty-target': 'The target holds no files at all: nothing was scanned.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
