// The "copier" of `npm run demo`: takes a shipped bundle and does what someone lifting it into
// their own product would do (re-minify, reformat, rename), then `pillbox detect` looks for the
// decoys in the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';
import { run } from './demo-examples.mjs';

/** snake_case -> camelCase, as the copier in the demo renames strings. */
export const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** snake_case names in string literals -> camelCase, as a copier rebranding tools and flags might. */
function camelCaseStrings(code) {
  let renamed = 0;
  const out = code.replace(/(["'`])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\1/g, (_, quote, name) => {
    renamed++;
    return quote + camel(name) + quote;
  });
  return { code: out, renamed };
}

export async function makeCopy(from, to) {
  const original = readFileSync(from, 'utf8');
  const minified = await minify(original, {
    module: true,
    compress: { passes: 2 },
    mangle: { toplevel: true },
    format: { beautify: true, indent_level: 2, comments: false },
  });
  const { code, renamed } = camelCaseStrings(minified.code);
  writeFileSync(to, code);
  return { before: Buffer.byteLength(original), after: Buffer.byteLength(code), renamed };
}

/** `pillbox detect INPUT --manifests DIR --format json`; the verdict line comes on stderr. */
export async function runDetect({ repo, input, manifestDir, cwd, env }) {
  const out = await run(process.execPath, [join(repo, 'bin', 'pillbox.js'), 'detect', input, '--manifests', manifestDir, '--format', 'json'], { cwd, env });
  let report;
  try {
    report = JSON.parse(out.stdout);
  } catch {
    report = undefined;
  }
  return { exit: out.code, report, verdict: out.stderr.trim().split('\n')[0] ?? '', stderr: out.stderr };
}
