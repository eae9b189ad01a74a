import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ResolvedConfig } from '../../core/config-types.js';
import { exitCodeFor, SEVERITIES, type FailOn } from '../../core/findings.js';
import { isNestedPack, GateUsageError } from '../../gate/plan.js';
import { gateScan } from '../../gate/scan.js';
import { ConfigError, loadConfig, readBaseline } from '../config.js';
import { formatReport, redactReport, redactText, REPORT_FORMATS, verdict, type ReportFormat } from '../format/index.js';
import type { CliContext } from '../main.js';
import { failWith } from '../fail.js';

// `pillbox scan [targets...]`: load the config, run the engine, redact, format, and set the
// exit code (0 clean, 1 findings at/above the threshold, 2 anything unread or a wrong call).

interface ScanFlags {
  format: ReportFormat;
  output?: string;
  failOn?: FailOn;
  config?: string;
  baseline?: string;
  workspaces?: boolean;
  comparePrevious?: boolean;
  annotate?: boolean;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  nothing at or above the --fail-on threshold
  1  findings at or above the threshold
  2  something could not be read, or the call was wrong (wins over 1: a partial scan is never a pass)

Examples:
  pillbox scan                          this package, as npm would publish it
  pillbox scan my-cli-1.2.3.tgz         a packed release
  pillbox scan dist --format sarif --output pillbox.sarif
  pillbox scan --format sarif --output pillbox.sarif --annotate   in a GitHub Actions job
`;

export function registerScan(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('Find source maps and original source in what a package ships, and gate releases on them')
    .argument('[targets...]', 'directories, files, .tgz/.tar archives, or npm:<name>@<version>; none: this package as npm would publish it')
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option('--output <file>', 'write the report to FILE (a one-line summary still goes to stderr)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity (default: config failOn, else high)').choices([...SEVERITIES, 'none']))
    .option('--config <file>', 'use this config file instead of pillbox.config.* / package.json#pillbox')
    .option('--baseline <file>', 'a previous JSON report: findings it already holds are suppressed')
    .option('--workspaces', 'scan every workspace package as it will be published')
    .option('--compare-previous', 'compare with the previous published release (size growth)')
    .option('--annotate', 'also print GitHub Actions annotations on stdout (with --output: one scan for both)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (targets: string[], flags: ScanFlags) => {
      ctx.exitCode = await runScan(targets, flags, ctx);
    });
}

async function runScan(targets: string[], flags: ScanFlags, ctx: CliContext): Promise<number> {
  const fail = failWith(ctx, 'scan');
  // The release gate packs with scripts off; a packer that ran them anyway would start us
  // again, and again. Stop the loop and fail closed: the outer scan then reports pack-failed.
  if (isNestedPack(ctx.env)) {
    return fail('started by the package manager inside the pack that pillbox itself runs with scripts off; refusing to recurse (this package manager ignored --ignore-scripts)');
  }
  if (flags.output !== undefined && flags.output.trim() === '') return fail('--output needs a file name');
  // Annotations go to stdout, so the report itself must go to a file.
  if (flags.annotate && flags.output === undefined) return fail('--annotate needs --output FILE (the report goes to the file, the annotations to stdout)');

  let config: ResolvedConfig;
  try {
    config = await loadConfig({ cwd: ctx.cwd, configPath: flags.config });
    if (flags.baseline !== undefined) config = { ...config, baseline: resolve(ctx.cwd, flags.baseline) };
    // Fail closed before scanning: a baseline that cannot be read would un-suppress nothing and
    // suppress nothing, silently.
    if (config.baseline !== undefined) readBaseline(config.baseline, flags.baseline ?? `${config.source}: baseline`);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`bad-config: ${err.message}`);
    throw err;
  }
  const failOn = flags.failOn ?? config.failOn;

  let report;
  try {
    report = await gateScan(targets, {
      cwd: ctx.cwd,
      env: ctx.env,
      config,
      workspaces: flags.workspaces,
      comparePrevious: flags.comparePrevious,
      isTTY: ctx.isTTY,
      stderr: ctx.stderr,
    });
  } catch (err) {
    if (err instanceof GateUsageError) return fail(redactText(err.message, config.forbid));
    return fail(redactText(`scan failed: ${(err as Error).message ?? String(err)}`, config.forbid));
  }
  const safe = redactReport(report, config.forbid);
  const toFile = flags.output !== undefined;
  const color = !toFile && flags.format === 'text' && useColor(ctx);
  // Formatters add a few strings of their own (the repository root in SARIF, target names):
  // one more pass over the finished text, a no-op unless one of them holds a forbidden string.
  const rendered = redactText(formatReport(flags.format, safe, { cwd: ctx.cwd, failOn, color }), config.forbid);
  const exitCode = exitCodeFor(report, failOn);
  const summary = verdict(safe, failOn).line;

  if (toFile) {
    const file = resolve(ctx.cwd, flags.output!);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, rendered);
    } catch (err) {
      return fail(`cannot write ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    ctx.stderr(`pillbox: ${flags.format} report written to ${flags.output}. ${summary}\n`);
    // The same report as workflow commands, for a CI job that also wants a SARIF file (action.yml).
    if (flags.annotate) ctx.stdout(redactText(formatReport('github', safe, { cwd: ctx.cwd, failOn, color: false }), config.forbid));
  } else {
    ctx.stdout(rendered);
    // Machine formats on stdout leave a CI log silent: say the verdict on stderr.
    if (flags.format === 'json' || flags.format === 'sarif') ctx.stderr(`pillbox: ${summary}\n`);
  }
  return exitCode;
}

function useColor(ctx: CliContext): boolean {
  if (ctx.env.NO_COLOR) return false;
  if (ctx.env.FORCE_COLOR && ctx.env.FORCE_COLOR !== '0') return true;
  return ctx.isTTY;
}
