import type { CliContext } from './main.js';

/** `fail(message)` for a command: says `pillbox <command>: message` on stderr and gives exit code 2. */
export function failWith(ctx: CliContext, command: string): (message: string) => 2 {
  return (message) => {
    ctx.stderr(`pillbox ${command}: ${message}\n`);
    return 2;
  };
}
