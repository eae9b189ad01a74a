#!/usr/bin/env node
import { describeFlags, loadFlags } from './flags.js';
import { findTool, TOOLS } from './tools.js';

const USAGE = 'usage: agent-cli tools | schema <tool> | run <tool> [args...] | flags';

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<string> {
  const [command, ...rest] = argv;
  const flags = loadFlags(env);
  switch (command) {
    case 'tools':
      return TOOLS.map((t) => `${t.name.padEnd(16)}${t.description}`).join('\n');
    case 'schema':
      return JSON.stringify(findTool(rest[0]).input_schema, null, 2);
    case 'run': {
      const { runTool } = await import('./runner.js');
      return runTool(rest[0], rest.slice(1), flags);
    }
    case 'flags':
      return describeFlags(flags);
    default:
      return USAGE;
  }
}

main(process.argv.slice(2)).then(
  (text) => console.log(text),
  (error: Error) => {
    console.error(`agent-cli: ${error.message}`);
    process.exitCode = 1;
  },
);
