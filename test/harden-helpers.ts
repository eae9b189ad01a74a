import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

// Shared by the plugin and harden tests: a small agent-like app (tool definitions, feature
// flags, a lazily loaded part) and checks that do NOT use pillbox's own code.

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pillbox-${prefix}-`));
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

/** Plain ESM JavaScript, so every bundler (and node) takes it as is. Two entries, one dynamic import. */
export const AGENT_APP: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'agent-fixture', version: '3.1.4', type: 'module', private: true }),
  'src/tools.js': `
export const TOOLS = [
  { name: 'read_file', description: 'Read a file from the workspace and return its text.', parameters: { path: { type: 'string' } } },
  { name: 'list_directory', description: 'List the entries of a directory in the workspace.', parameters: { path: { type: 'string' } } },
  { name: 'search_code', description: 'Search the workspace for a regular expression.', parameters: { pattern: { type: 'string' } } },
];

export class ToolRegistry {
  constructor(tools) {
    this.tools = new Map(tools.map((t) => [t.name, t]));
  }
  get(name) {
    const tool = this.tools.get(name);
    if (!tool) throw new Error('unknown tool ' + name);
    return tool;
  }
  names(filter) {
    const out = [];
    this.tools.forEach((tool, name) => {
      if (!filter || filter(tool)) out.push(name);
    });
    return out;
  }
}

const registry = new ToolRegistry(TOOLS);

export function findTool(name) {
  return registry.get(name);
}

export function toolNames(filter) {
  return registry.names(filter);
}
`,
  'src/flags.js': `
const DEFAULTS = { agent_streaming_replies: true, agent_parallel_tools: false, agent_memory_compaction: true };

export function resolveFlags(overrides) {
  const flags = { ...DEFAULTS };
  Object.entries(overrides || {}).forEach(([key, value]) => {
    if (key in flags) flags[key] = Boolean(value);
  });
  return flags;
}

export const flagStore = {
  cache: new Map(),
  read(name) {
    if (!this.cache.has(name)) this.cache.set(name, DEFAULTS[name] === true);
    return this.cache.get(name);
  },
  write(name, value) {
    this.cache.set(name, Boolean(value));
    return this.read(name);
  },
  names() {
    return Object.keys(DEFAULTS).filter((name) => {
      return this.read(name) || name.startsWith('agent_');
    });
  },
};

export function describeFlag(name) {
  switch (name) {
    case 'agent_streaming_replies': return 'stream replies token by token';
    case 'agent_parallel_tools': return 'run independent tools at once';
    case 'agent_memory_compaction': return 'summarise old turns';
    default: return 'unknown';
  }
}
`,
  'src/runner.js': `
import { findTool } from './tools.js';

class Session {
  constructor(id) {
    this.id = id;
    this.log = [];
  }
  record(event, detail) {
    this.log.push(event + ':' + detail);
    return this.log.length;
  }
  summary() {
    return this.log.map((entry, i) => {
      return i + 1 + '. ' + entry;
    }).join(' ');
  }
}

export async function runTool(name, args) {
  const tool = findTool(name);
  const session = new Session(name);
  session.record('start', name);
  const computeChecksum = (text) => [...text].reduce((sum, ch) => (sum * 31 + ch.charCodeAt(0)) >>> 0, 7);
  session.record('args', args.length);
  return tool.name + '(' + args.join(',') + ') -> ' + computeChecksum(tool.description + args.join('')) + ' [' + session.summary() + ']';
}
`,
  'src/format.js': `
export function indent(text, width) {
  const pad = ' '.repeat(width);
  return text.split('\\n').map((line) => pad + line).join('\\n');
}

export function truncate(text, limit) {
  if (text.length <= limit) return text;
  return text.slice(0, Math.max(0, limit - 1)) + '~';
}

export function plural(count, word) {
  return count + ' ' + (count === 1 ? word : word + 's');
}

export function formatTool(tool, verbose) {
  const params = Object.keys(tool.parameters);
  const head = tool.name + ': ' + truncate(tool.description, verbose ? 200 : 40);
  return verbose ? head + '\\n' + indent(plural(params.length, 'parameter') + ' ' + params.join(', '), 2) : head;
}

export class StatusRenderer {
  constructor(prefix) {
    this.prefix = prefix;
  }
  line(state, detail) {
    switch (state) {
      case 'idle': return this.prefix + 'waiting for input';
      case 'thinking': return this.prefix + 'planning the next step (' + detail + ')';
      case 'tool': return this.prefix + 'running ' + detail;
      case 'done': return this.prefix + 'finished: ' + detail;
      default: return this.prefix + 'state ' + state;
    }
  }
}

export function statusLine(state, detail) {
  return new StatusRenderer('> ').line(state, detail);
}
`,
  'src/cli.js': `
import { TOOLS, toolNames } from './tools.js';
import { resolveFlags, describeFlag } from './flags.js';
import { formatTool, statusLine } from './format.js';

export async function main(argv) {
  const [command, ...rest] = argv;
  const flags = resolveFlags({ agent_parallel_tools: rest.includes('--parallel') });
  const out = [];
  if (command === 'tools') out.push(TOOLS.map((t) => formatTool(t, rest.includes('--verbose'))).join('\\n'));
  out.push(['idle', 'thinking', 'tool', 'done'].map((s) => statusLine(s, command)).join(' | '));
  if (command === 'run') {
    const { runTool } = await import('./runner.js');
    out.push(await runTool(rest[0], rest.slice(1).filter((a) => !a.startsWith('--'))));
  }
  out.push(Object.entries(flags).map(([k, v]) => {
    const description = describeFlag(k);
    return k + '=' + v + ' (' + description + ')';
  }).join('; '));
  out.push(toolNames((tool) => {
    const params = Object.keys(tool.parameters);
    return params.includes('path');
  }).join(','));
  return out.join('\\n');
}

if (typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  main(process.argv.slice(2)).then((text) => console.log(text));
}
`,
  'src/server.js': `
import { TOOLS, findTool } from './tools.js';
import { resolveFlags, flagStore } from './flags.js';

const routes = {
  health(request) {
    return { ok: true, flags: flagStore.names().length, id: request.id };
  },
  tools(request) {
    return TOOLS.filter((tool) => {
      return !request.only || tool.name === request.only;
    }).map((tool) => tool.name);
  },
};

export function handle(request) {
  const flags = resolveFlags(request.flags);
  if (request.tool) return { tool: findTool(request.tool).name, flags };
  return { tools: TOOLS.length, flags };
}

console.log(JSON.stringify(handle({ tool: 'search_code', flags: { agent_parallel_tools: 1 } })));
console.log(JSON.stringify([routes.health({ id: 7 }), routes.tools({ only: 'read_file' })]));
`,
};

/** Identifiers from the sources above that survive minification as property/string names or that a map names. */
export const REAL_IDENTIFIERS = ['findTool', 'resolveFlags', 'describeFlag', 'runTool', 'computeChecksum'];

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out.push(relative(root, abs).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** The two folders hold the same files with the same text (`actual` first in messages). */
export function expectSameFiles(actual: string, expected: string): void {
  const files = listFiles(expected);
  expect(listFiles(actual)).toEqual(files);
  for (const f of files) expect(readFileSync(join(actual, f), 'utf8'), f).toBe(readFileSync(join(expected, f), 'utf8'));
}

/**
 * An independent leak check (no pillbox code): every file's text searched for reference
 * comments, debug ids, sourceURL, inline maps, and any JSON that is a source map.
 */
export function plainLeakSearch(root: string, opts: { allowDebugId?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const file of listFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    if (file.endsWith('.map')) problems.push(`${file}: a .map file`);
    if (/[#@]\s*sourceMappingURL\s*=/.test(text)) problems.push(`${file}: sourceMappingURL comment`);
    if (/[#@]\s*sourceURL\s*=/.test(text)) problems.push(`${file}: sourceURL comment`);
    if (!opts.allowDebugId && /[#@]\s*debugId\s*=/.test(text)) problems.push(`${file}: debugId comment`);
    if (/data:application\/json[^,]*,/.test(text)) problems.push(`${file}: inline data: JSON`);
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith(")]}'")) {
      try {
        const json = JSON.parse(trimmed.replace(/^\)\]\}'[^\n]*\n/, ''));
        if (json && json.version === 3 && ('mappings' in json || 'sections' in json)) problems.push(`${file}: source map JSON`);
      } catch {
        // not JSON
      }
    }
  }
  return problems;
}

export function runNode(file: string, args: string[] = [], cwd?: string): string {
  return execFileSync(process.execPath, [file, ...args], { encoding: 'utf8', cwd: cwd ?? dirname(file), env: { ...process.env, NODE_OPTIONS: '' } });
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * An example built as its user builds it: its dist/ and .pillbox/ cleared, `pillbox` linked
 * (examples/link-pillbox.mjs leaves correct links alone), `npm run build`, then the example's
 * own `node --test`. Returns the build log. Shared by every example test.
 */
export function buildExampleAsUser(dir: string, env: NodeJS.ProcessEnv): string {
  const repo = join(dir, '..', '..');
  execFileSync(process.execPath, [join(repo, 'examples/link-pillbox.mjs')]);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  rmSync(join(dir, '.pillbox'), { recursive: true, force: true });
  const log = npmBuild(dir, env);
  execFileSync(process.execPath, ['--test'], { cwd: dir, env, stdio: 'pipe' });
  return log;
}

/** `npm run build` in an example, as is (nothing cleared or linked); returns its log. */
export function npmBuild(dir: string, env: NodeJS.ProcessEnv): string {
  return execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, env: { ...env, NO_COLOR: '1' }, stdio: 'pipe', encoding: 'utf8' });
}
