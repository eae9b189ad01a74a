// Loaded on demand (`agent-cli run ...`): esbuild puts it in its own chunk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Flags } from './flags.js';
import { findTool } from './tools.js';

export function runTool(name: string | undefined, args: string[], flags: Flags, workspace = process.cwd()): string {
  const tool = findTool(name);
  const missing = tool.input_schema.required.filter((_, i) => args[i] === undefined);
  if (missing.length > 0) throw new Error(`${tool.name}: missing ${missing.join(', ')}`);
  switch (tool.name) {
    case 'read_file':
      return readFileSync(join(workspace, args[0]), 'utf8');
    case 'list_directory':
      return listDirectory(join(workspace, args[0]), flags.agent_folders_first);
    case 'search_text':
      return searchText(readFileSync(join(workspace, args[0]), 'utf8'), args[1]);
    default:
      throw new Error(`${tool.name} has no implementation`);
  }
}

function listDirectory(dir: string, foldersFirst: boolean): string {
  const entries = readdirSync(dir).map((name) => ({ name, folder: statSync(join(dir, name)).isDirectory() }));
  entries.sort((a, b) => (foldersFirst && a.folder !== b.folder ? (a.folder ? -1 : 1) : a.name.localeCompare(b.name)));
  return entries.map((e) => (e.folder ? `${e.name}/` : e.name)).join('\n');
}

function searchText(text: string, query: string): string {
  const needle = query.toLowerCase();
  return text
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.toLowerCase().includes(needle))
    .map(({ line, n }) => `${n}: ${line.trim()}`)
    .join('\n');
}
