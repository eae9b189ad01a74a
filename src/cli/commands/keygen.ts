import type { Command } from 'commander';
import { generateKey, keyId, parseKey } from '../../core/key.js';
import type { CliContext } from '../main.js';

// `pillbox keygen`: a new decoy key on stdout and nothing else there, so that
// `pillbox keygen > key.txt` or `PILLBOX_KEY=$(pillbox keygen)` just work. The key id (safe to
// print, it names which key sealed a manifest) goes to stderr.
export function registerKeygen(program: Command, ctx: CliContext): void {
  program
    .command('keygen')
    .description('Print a new decoy key (pbk1_...) on stdout; its id goes to stderr')
    .action(() => {
      const key = generateKey();
      ctx.stdout(key + '\n');
      ctx.stderr(`key id ${keyId(parseKey(key))}: keep the key in your secret store, never in the repository\n`);
      ctx.exitCode = 0;
    });
}
