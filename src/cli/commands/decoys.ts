import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { explainDecoys } from '../../decoys/index.js';
import { keyFromFlags } from '../key-flag.js';
import type { CliContext } from '../main.js';
import { failWith } from '../fail.js';

// `pillbox decoys --explain <bundle> [--full]`: the style learned from a bundle and the decoys a
// build of it would ship (names only unless --full). The key comes from --key-file or
// PILLBOX_KEY, never from the command line or a config file, and is never printed.

interface DecoysFlags {
  explain?: string;
  full?: boolean;
  keyFile?: string;
  channel: string;
  release: string;
  count?: string;
  json?: boolean;
}

export function registerDecoys(program: Command, ctx: CliContext): void {
  program
    .command('decoys')
    .description('Show the style learned from a bundle and the decoys that would be planted in it')
    .option('--explain <bundle>', 'the JavaScript file to learn from')
    .option('--full', 'print whole decoys (descriptions, schemas), not just names')
    .option('--key-file <file>', 'read the key from FILE (else PILLBOX_KEY)')
    .option('--channel <name>', 'channel the build is for', 'default')
    .option('--release <version>', 'release the build is for', '0.0.0')
    .option('--count <n>', 'decoys requested (default 16)')
    .option('--json', 'print JSON')
    .action((flags: DecoysFlags) => {
      ctx.exitCode = runDecoys(flags, ctx);
    });
}

function runDecoys(flags: DecoysFlags, ctx: CliContext): number {
  const fail = failWith(ctx, 'decoys');
  if (!flags.explain) return fail('nothing to do: pass --explain <bundle>');
  const found = keyFromFlags(flags.keyFile, ctx, 'set PILLBOX_KEY or pass --key-file FILE');
  if ('error' in found) return fail(found.error);
  const { key } = found;
  const count = flags.count === undefined ? undefined : Number(flags.count);
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 1000)) return fail('--count must be an integer from 1 to 1000');
  let code: string;
  const path = resolve(ctx.cwd, flags.explain);
  try {
    code = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(`cannot read ${flags.explain}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let explained: ReturnType<typeof explainDecoys>;
  try {
    explained = explainDecoys(code, { key, channel: flags.channel, release: flags.release, count });
  } catch (err) {
    return fail((err as Error).message);
  }
  const { style, decoys } = explained;
  if (flags.json) {
    const out = flags.full ? { style, decoys } : { style, decoys: decoys.map((d) => ({ tier: d.tier, kind: d.kind, name: d.name })) };
    ctx.stdout(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const t = style.tools;
  const f = style.flags;
  const lines: string[] = [];
  lines.push(`Style learned from ${flags.explain}`);
  lines.push(
    t.found > 0
      ? `  tools: ${t.found} found; schema key ${t.schemaKey}, ${t.nameCase} names${t.prefixes.length ? `, prefixes ${t.prefixes.join(' ')} (${Math.round(t.prefixShare * 100)}%)` : ''}, ` +
          `~${t.descriptionWords} words per description (${t.person} person), ~${t.properties} properties`
      : `  tools: none found; built-in style (${t.schemaKey}, ${t.nameCase} names)`,
  );
  lines.push(
    f.found > 0
      ? `  flags: ${f.found} found; ${f.prefix ? `prefix "${f.prefix}${f.separator}"` : 'no shared prefix'}, ${f.nameCase}, ~${f.segments} segments${f.getter ? `, read by ${f.getter}()` : ''}`
      : '  flags: none found; built-in style',
  );
  lines.push(`Decoys a build of it would plant (channel ${flags.channel}, release ${flags.release}): ${decoys.length}`);
  for (const d of decoys) {
    lines.push(`  ${d.tier.padEnd(7)} ${d.kind.padEnd(4)} ${d.name}  (${d.entropyBits} bits)`);
    if (flags.full && d.kind === 'tool') {
      lines.push(`      ${d.description}`);
      for (const p of d.parameters ?? []) {
        const req = d.required?.includes(p.name) ? 'required' : 'optional';
        lines.push(`      - ${p.name}: ${p.type}${p.enum ? ` (${p.enum.join(' | ')})` : ''}, ${req}: ${p.description}`);
      }
    }
  }
  lines.push('Product and channel decoys are fixed the first time a build writes a manifest, and read back afterwards.');
  ctx.stdout(lines.join('\n') + '\n');
  return 0;
}
