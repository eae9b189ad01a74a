import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { registerScan } from './commands/scan.js';
import { registerHarden } from './commands/harden.js';
import { registerDecoys } from './commands/decoys.js';
import { registerDetect } from './commands/detect.js';
import { registerKeygen } from './commands/keygen.js';
import { registerInit } from './commands/init.js';

// `pillbox` command line. Each command lives in ./commands and sets `ctx.exitCode`.
// Exit codes (pinned): 0 nothing at/above the threshold, 1 findings at/above it, 2 something
// could not be read or the call was wrong.

export interface CliContext {
  exitCode: number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard input, for `detect -`. */
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
}

export async function main(argv: string[], io: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    exitCode: 0,
    stdout: io.stdout ?? ((t) => process.stdout.write(t)),
    stderr: io.stderr ?? ((t) => process.stderr.write(t)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    stdin: io.stdin ?? process.stdin,
    isTTY: io.isTTY ?? Boolean(process.stderr.isTTY),
  };
  const program = new Command('pillbox')
    .description('Keep your source out of what you ship.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr });
  registerScan(program, ctx);
  registerHarden(program, ctx);
  registerDecoys(program, ctx);
  registerDetect(program, ctx);
  registerKeygen(program, ctx);
  registerInit(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; any other parse problem is a wrong call: 2.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    ctx.stderr(`pillbox: ${(err as Error).message}\n`);
    return 2;
  }
  return ctx.exitCode;
}
