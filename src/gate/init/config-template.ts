// The config file `pillbox init` writes. Every key is present and commented, so that the file
// teaches itself; it loads as is (test/init.test.ts checks it with the real loader).

export const CONFIG_FILE_NAME = 'pillbox.config.mjs';

export const CONFIG_TEMPLATE = `// pillbox configuration (README: "Configuration"). Written by \`pillbox init\`.
//
// This file lists the strings that must never ship, so it must never ship itself:
// \`pillbox init\` kept it out of the package (see package.json "files" or .npmignore), and
// \`pillbox scan\` reports it as pillbox-private-file if it ever is packed.
export default {
  // Exit 1 when a finding is at or above this severity: 'critical', 'high', 'medium', 'low'
  // or 'none'. \`pillbox scan --fail-on\` overrides it.
  failOn: 'high',

  // Findings you accept, each with the reason why. \`path\` is a glob relative to the package
  // root; \`code\` limits it to one finding code.
  allow: [
    // { path: 'dist/**/*.map', code: 'source-map', reason: 'names-only maps for our error tracker' },
  ],

  // Strings that must never appear in what you publish, maps' sourcesContent included:
  // codenames, internal hosts, unreleased feature flags. Reports name the entry (forbid[0]),
  // never the string. '/regex/flags' strings and RegExp literals are regular expressions.
  forbid: [
    // 'project-codename',
    // /internal\\.example\\.com/i,
  ],

  // A previous JSON report (\`pillbox scan --format json --output pillbox-baseline.json\`):
  // findings it holds are suppressed, so only new ones fail.
  // baseline: 'pillbox-baseline.json',
};
`;
