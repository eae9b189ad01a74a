import type { Command } from 'commander';
import type { CliContext } from '../main.js';

// Placeholder until its issue lands: the command exists so --help lists it, and refuses with exit 2.
export function registerDecoys(program: Command, ctx: CliContext): void {
  program
    .command('decoys')
    .description('(not yet available)')
    .allowUnknownOption()
    .argument('[args...]')
    .action(() => {
      ctx.stderr('pillbox decoys: not implemented yet\n');
      ctx.exitCode = 2;
    });
}
