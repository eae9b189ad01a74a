import { InvalidArgumentError, Option, type Command } from 'commander';
import { KeyError } from '../../core/key.js';
import { PillboxOptionsError, SOURCEMAP_MODES, type PillboxOptions, type SourcemapMode } from '../../core/plugin-options.js';
import { describe } from '../../harden/rollup-family.js';
import { hardenDirectory } from '../../harden/directory.js';
import { ConfigError, loadConfig } from '../config.js';
import type { CliContext } from '../main.js';
import { failWith } from '../fail.js';

// `pillbox harden <dir>`: the plugins' work on an already-built directory, for builds with no
// plugin (tsc, Bun, Parcel, framework exports). Always a production build. Flags mirror the
// plugin options in kebab-case. Exit 0 clean after hardening, 1 the gate failed, 2 bad input.

interface HardenFlags {
  sourcemaps: SourcemapMode;
  hiddenDir?: string;
  decoys?: boolean;
  channel?: string;
  release?: string;
  count?: number;
  manifestDir?: string;
  failOnLeak: boolean;
  keyFile?: string;
  config?: string;
}

const HELP = `
Exit codes:
  0  the directory is clean after hardening (what the mode promises holds)
  1  the build gate found a leak that remains (see the report)
  2  the directory or a file could not be read or written, or the call was wrong

The decoy key comes from --key-file FILE or the PILLBOX_KEY environment variable.

Examples:
  tsc -p . && pillbox harden dist
  bun build src/cli.ts --outdir dist --sourcemap=external && pillbox harden dist --decoys --channel npm
  pillbox harden dist --sourcemaps hidden --hidden-dir ../private-maps
`;

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function registerHarden(program: Command, ctx: CliContext): void {
  program
    .command('harden')
    .description('Strip or privatise source maps and their references in a built directory, and plant decoys')
    .argument('<dir>', 'the build output directory, rewritten in place')
    .addOption(new Option('--sourcemaps <mode>', 'what to do with source maps').choices(SOURCEMAP_MODES).default('strip'))
    .option('--hidden-dir <dir>', "where 'hidden' moves maps (default .pillbox/maps)")
    .option('--decoys', 'plant keyed decoys (off unless given)')
    .option('--channel <name>', "decoy channel (default 'default'; needs --decoys)")
    .option('--release <version>', 'decoy release (default: package.json version; needs --decoys)')
    .option('--count <n>', 'how many decoys (default 16; needs --decoys)', positiveInt)
    .option('--manifest-dir <dir>', 'where decoy manifests go (default .pillbox/manifests)')
    .option('--no-fail-on-leak', 'report a remaining leak but exit 0')
    .option('--key-file <file>', 'read the decoy key from FILE (else PILLBOX_KEY)')
    .option('--config <file>', 'pillbox config whose forbid list the gate enforces (default: pillbox.config.* / package.json#pillbox)')
    .addHelpText('after', HELP)
    .action(async (dir: string, flags: HardenFlags) => {
      ctx.exitCode = await runHarden(dir, flags, ctx);
    });
}

async function runHarden(dir: string, flags: HardenFlags, ctx: CliContext): Promise<number> {
  const fail = failWith(ctx, 'harden');
  if (!flags.decoys && (flags.channel !== undefined || flags.release !== undefined || flags.count !== undefined || flags.keyFile !== undefined)) {
    return fail('--channel, --release, --count and --key-file only apply with --decoys (decoys are off unless asked for)');
  }
  let forbid: PillboxOptions['forbid'];
  try {
    const config = await loadConfig({ cwd: ctx.cwd, configPath: flags.config });
    forbid = config.forbid.map((rule) => rule.pattern);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`bad-config: ${err.message}`);
    throw err;
  }
  const options: PillboxOptions = {
    sourcemaps: flags.sourcemaps,
    hiddenDir: flags.hiddenDir,
    manifestDir: flags.manifestDir,
    failOnLeak: flags.failOnLeak,
    forbid,
    decoys: flags.decoys ? { channel: flags.channel, release: flags.release, count: flags.count } : false,
  };

  let outcome;
  try {
    outcome = await hardenDirectory(dir, options, { cwd: ctx.cwd, env: ctx.env, keyFile: flags.keyFile });
  } catch (err) {
    if (err instanceof PillboxOptionsError || err instanceof KeyError) return fail((err as Error).message);
    throw err;
  }
  const { result, errors } = outcome;
  for (const e of errors) ctx.stderr(`pillbox harden: ${e.code}: ${e.message}\n`);
  if (result) {
    for (const w of result.warnings) ctx.stderr(`pillbox harden: warning: ${w}\n`);
    const s = result.summary;
    ctx.stdout(`${describe(result) || `pillbox ${s.mode}: nothing to change`} in ${dir}\n`);
    for (const f of s.mapsRemoved) ctx.stdout(`  removed   ${f}\n`);
    for (const f of s.mapsHidden) ctx.stdout(`  hidden    ${f}\n`);
    for (const f of s.mapsRewritten) ctx.stdout(`  rewritten ${f}\n`);
    if (s.decoys) ctx.stdout(`  decoys    ${s.decoys.planted} planted in ${s.decoys.files.length} file(s); manifest ${s.decoys.manifestPath}\n`);
  }
  if (errors.length > 0) return 2;
  const gate = result?.gate;
  if (gate && !gate.ok) {
    ctx.stderr(gate.message.replace(/^pillbox \(harden\)/, 'pillbox harden') + '\n');
    return 1;
  }
  return 0;
}
