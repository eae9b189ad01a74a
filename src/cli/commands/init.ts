import type { Command } from 'commander';
import { InitRefused, runInit } from '../../gate/init/index.js';
import { MANAGER_LABEL } from '../../gate/managers.js';
import type { CliContext } from '../main.js';

// `pillbox init`: wires the release gate into the package manager's lifecycle (src/gate/init).
// Prints every change; a second run prints that there is nothing to change. Exit 2 on refusal.
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Gate every publish: wire `pillbox scan` into the package manager\'s lifecycle, write pillbox.config.mjs, keep .pillbox/ and the config out of the package')
    .action(async () => {
      try {
        const result = await runInit(ctx.cwd, ctx.env);
        const { manager, evidence } = result.detected;
        ctx.stdout(`pillbox init: ${MANAGER_LABEL[manager]} (${evidence})\n`);
        if (result.changes.length === 0) ctx.stdout('  nothing to change: the gate is already set up\n');
        for (const line of result.changes) ctx.stdout(`  changed ${line}\n`);
        for (const line of result.notes) ctx.stdout(`  note: ${line}\n`);
        ctx.exitCode = 0;
      } catch (err) {
        if (!(err instanceof InitRefused)) throw err;
        ctx.stderr(`pillbox init: refused, nothing changed: ${err.message}\n`);
        ctx.exitCode = 2;
      }
    });
}
