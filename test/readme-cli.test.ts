import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDecoys } from '../src/cli/commands/decoys.js';
import { registerDetect } from '../src/cli/commands/detect.js';
import { registerHarden } from '../src/cli/commands/harden.js';
import { registerInit } from '../src/cli/commands/init.js';
import { registerKeygen } from '../src/cli/commands/keygen.js';
import { registerScan } from '../src/cli/commands/scan.js';
import type { CliContext } from '../src/cli/main.js';

// Every command and every long flag the CLI really registers, and every plugin option key,
// must be named in the README: it is how a newcomer learns them. The lists come from the code
// (commander's own option objects, the options type's source), so a new flag fails this test
// until it is documented.

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

function registeredCommands(): Command[] {
  const program = new Command('pillbox');
  const ctx = {} as CliContext;
  for (const register of [registerScan, registerHarden, registerDecoys, registerDetect, registerKeygen, registerInit]) register(program, ctx);
  return program.commands as Command[];
}

describe('README documents the whole command line', () => {
  const commands = registeredCommands();

  it('finds the six pinned commands', () => {
    expect(commands.map((c) => c.name()).sort()).toEqual(['decoys', 'detect', 'harden', 'init', 'keygen', 'scan']);
  });

  it.each(commands.map((c) => [c.name(), c] as const))('pillbox %s: the command and each of its flags', (name, cmd) => {
    expect(README, `command ${name}`).toContain(`pillbox ${name}`);
    for (const opt of cmd.options) {
      if (!opt.long || opt.long === '--help') continue;
      expect(README, `${name} ${opt.long}`).toContain(opt.long);
    }
  });
});

describe('README documents every plugin option', () => {
  const source = readFileSync(join(__dirname, '..', 'src/core/plugin-options.ts'), 'utf8');
  const body = /export interface PillboxOptions \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const decoyBody = /export interface DecoyOptions \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const keys = (text: string) => [...text.matchAll(/^\s+(\w+)\?:/gm)].map((m) => m[1]);
  const plugins = README.slice(README.indexOf('\n## Build plugins\n'));

  it('reads the option keys from the code', () => {
    expect(keys(body)).toEqual(expect.arrayContaining(['sourcemaps', 'hiddenDir', 'decoys', 'manifestDir', 'failOnLeak', 'forbid']));
    expect(keys(decoyBody)).toEqual(expect.arrayContaining(['key', 'channel', 'release', 'count']));
  });

  it.each([...keys(body), ...keys(decoyBody)])('option %s', (key) => {
    expect(plugins).toContain(key);
  });
});

describe('README weighs decoys before a team turns them on', () => {
  const decoys = README.slice(README.indexOf('\n## Decoys\n'), README.indexOf('\n## Detect\n'));
  it.each(['User trust', 'Support load', 'Legal review', 'diff two consecutive releases'])('names %s', (topic) => {
    expect(decoys).toContain(topic);
  });
});
