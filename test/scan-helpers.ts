import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ForbidRule, ResolvedConfig } from '../src/core/config-types.js';
import type { Finding, Report } from '../src/core/findings.js';
import { scan } from '../src/scan/engine.js';

// Shared by the test/scan-*.test.ts files: temp dirs, small project writers, scan shortcuts.

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pillbox-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Copies `files` (paths relative to `from`) into a fresh package folder `to`. */
export function pack(from: string, to: string, files: string[]): string {
  mkdirSync(to, { recursive: true });
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(from, f), join(to, f));
  }
  return to;
}

export function config(forbid: Array<string | RegExp> = [], extra: Partial<ResolvedConfig> = {}): ResolvedConfig {
  const rules: ForbidRule[] = forbid.map((pattern, i) => ({ label: `forbid[${i}]`, pattern }));
  return { failOn: 'high', allow: [], forbid: rules, ...extra };
}

/** Scans one target from inside it (a directory) or beside it (a file), so paths are package-relative. */
export async function scanOne(target: string, cfg?: ResolvedConfig): Promise<Report> {
  if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) return scan(['.'], { cwd: target, config: cfg });
  return scan([target], { cwd: dirname(target), config: cfg });
}

export function codesOf(report: Report, path?: string): string[] {
  return report.findings.filter((f) => path === undefined || f.path === path || f.path.endsWith(`/${path}`)).map((f) => f.code).sort();
}

export function only(report: Report, code: string): Finding {
  const found = report.findings.filter((f) => f.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(report.findings.map((f) => [f.code, f.path]))}`);
  return found[0];
}

/** A tiny first-party project: two TypeScript modules and a JS twin for bundlers without TS. */
export const PROJECT = {
  'src/index.ts': [
    "import { greet } from './lib/greet';",
    'export const main = (name: string): string => greet(name);',
    "console.log(main('world'));",
    '',
  ].join('\n'),
  'src/lib/greet.ts': ['export function greet(name: string): string {', '  return `hello ${name}`;', '}', ''].join('\n'),
  'js/index.js': ["import { greet } from './lib/greet.js';", 'export const main = (name) => greet(name);', 'console.log(main("world"));', ''].join('\n'),
  'js/lib/greet.js': ['export function greet(name) {', "  return 'hello ' + name;", '}', ''].join('\n'),
};

/** Lines as the scanner counts them: LF-separated, a final LF does not open a new line. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}
