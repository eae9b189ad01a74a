import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { detect, DEFAULT_THRESHOLD } from '../../detect/detect.js';
import { DETECT_FORMATS, formatDetect, verdictLine, type DetectFormat } from '../../detect/format.js';
import { DetectSetupError } from '../../detect/manifests.js';
import { keyFromFlags } from '../key-flag.js';
import type { CliContext } from '../main.js';
import { failWith } from '../fail.js';

// `pillbox detect [inputs... | -]`: exit 0 nothing significant, 1 a significant match,
// 2 an input, the key or the manifests could not be read (2 wins: a partial search is never a pass).

interface DetectFlags {
  manifests: string;
  channel: string[];
  release: string[];
  threshold: string;
  format: DetectFormat;
  keyFile?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerDetect(program: Command, ctx: CliContext): void {
  program
    .command('detect')
    .description('Find our decoys in copied bundles, datasets or model transcripts, with a false-positive bound')
    .argument('[inputs...]', 'files, directories, .tgz/.tar archives, .gz files, JSON Lines, or - for stdin')
    .option('--manifests <dir>', 'the decoy manifests', '.pillbox/manifests')
    .option('--channel <name>', 'only this channel (repeatable)', collect, [])
    .option('--release <version>', 'only this release (repeatable)', collect, [])
    .option('--threshold <p>', 'a scope is significant when its corrected bound is at most P', String(DEFAULT_THRESHOLD))
    .addOption(new Option('--format <format>', 'report format').choices(DETECT_FORMATS).default('text'))
    .option('--key-file <file>', 'read the key from FILE (default: the PILLBOX_KEY environment variable)')
    .action(async (inputs: string[], flags: DetectFlags) => {
      ctx.exitCode = await runDetect(inputs, flags, ctx);
    });
}

async function runDetect(inputs: string[], flags: DetectFlags, ctx: CliContext): Promise<number> {
  const fail = failWith(ctx, 'detect');
  if (inputs.length === 0) return fail('no input: give files, directories or archives, or - to read stdin');
  const threshold = Number(flags.threshold);
  if (!(threshold > 0 && threshold < 1)) return fail(`--threshold must be a probability between 0 and 1, not ${JSON.stringify(flags.threshold)}`);
  const found = keyFromFlags(flags.keyFile, ctx, 'detect needs the key the decoys were made with');
  if ('error' in found) return fail(found.error);
  const { key } = found;
  let report;
  try {
    report = await detect({
      inputs,
      key,
      manifestDir: resolve(ctx.cwd, flags.manifests),
      channels: flags.channel,
      releases: flags.release,
      threshold,
      cwd: ctx.cwd,
      stdin: ctx.stdin,
    });
  } catch (err) {
    if (err instanceof DetectSetupError) return fail(err.message);
    throw err;
  }
  ctx.stdout(formatDetect(flags.format, report));
  if (flags.format !== 'text') ctx.stderr(verdictLine(report) + '\n');
  for (const e of report.errors) if (flags.format !== 'text') ctx.stderr(`pillbox detect: ${e.message}\n`);
  if (report.errors.length > 0) return 2;
  return report.significant ? 1 : 0;
}
