#!/usr/bin/env node
// `npm run demo`: pillbox's three jobs on real builds, in about half a minute.
//   1. every example in examples/ built with its plugin (decoys on, with a throwaway key),
//      packed with `npm pack`, and its tarball scanned: clean;
//   2. a package shaped like the incident (an orphan map holding the TypeScript source) and
//      its clean twin, packed and scanned: the first blocked, with how much source it exposes;
//   3. one example's shipped bundle "copied" (re-minified, reformatted, renamed) and traced back
//      to its release by `pillbox detect`; the clean twin as the negative control.
// Everything is built in a temporary folder; examples/ is never written to.
//
// Options: --build-if-stale runs `npm run build` first when dist/ is missing or older than
// src/ (`npm run demo` passes it: after `npm install`, whose prepare step builds, nothing is
// built twice). --key-file FILE uses that key instead of a new one (the test does, to check that it
// never reaches the output). PILLBOX_DEMO_EXAMPLES=a,b builds only those examples;
// PILLBOX_DEMO_JOBS=N sets how many builds run at once (default 2).

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODENAME } from '../fixtures/incident/app.mjs';
import { makeIncident } from '../fixtures/incident/make.mjs';
import { makeClean } from '../fixtures/clean/make.mjs';
import { buildIfStale } from './build-if-stale.mjs';
import { camel, makeCopy, runDetect } from './demo-detect.mjs';
import { EXAMPLES, linkWorkModules, run, runExample } from './demo-examples.mjs';
import { clearStatus, kB, pc, quote, redactor, say, seconds, section, status, table } from './demo-print.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'pillbox.js');
const DETECT_SUBJECT = 'bun-style-harden';

if (process.argv.includes('--build-if-stale') && !buildIfStale()) {
  console.error('pillbox demo: `npm run build` failed');
  process.exit(2);
}

const started = Date.now();
let api;
try {
  api = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
} catch {
  console.error('pillbox demo: dist/ is missing or stale; run `npm run build` first (`npm run demo` does).');
  process.exit(2);
}

const keyFileAt = process.argv.indexOf('--key-file');
const key = keyFileAt > 0 ? readFileSync(process.argv[keyFileAt + 1], 'utf8').trim() : api.generateKey();
const keyBuffer = api.parseKey(key, 'the --key-file key');
const redact = redactor(key);
const env = { ...process.env, PILLBOX_KEY: key, NO_COLOR: '1' };
delete env.FORCE_COLOR;

const only = process.env.PILLBOX_DEMO_EXAMPLES?.split(',').map((s) => s.trim()).filter(Boolean);
const examples = only ? EXAMPLES.filter((e) => only.includes(e.name)) : EXAMPLES;
const jobsAtOnce = Math.max(1, Number(process.env.PILLBOX_DEMO_JOBS) || 2);

const work = mkdtempSync(join(tmpdir(), 'pillbox-demo-'));
const checks = [];
const check = (what, expected, got, ok, note = '') => checks.push({ what, expected, got, ok, note });

/** Run jobs, at most `limit` at a time, keeping their order in the results. */
async function pool(jobs, limit, onDone) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
      onDone(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** The incident reproduction and its clean twin: build, pack, scan (text, as a person reads it). */
async function incidentJob() {
  // The config a team keeps out of the package (`pillbox init` does): what must never ship.
  writeFileSync(join(work, 'pillbox.config.json'), JSON.stringify({ forbid: [`${CODENAME}_undercover_mode`] }, null, 2) + '\n');
  const [incident, clean] = await Promise.all([makeIncident(join(work, 'build')), makeClean(join(work, 'build'))]);
  const scanText = async (tgz) => {
    const shown = relative(work, tgz);
    const out = await run(process.execPath, [bin, 'scan', shown], { cwd: work, env });
    return { shown, exit: out.code, text: redact(out.stdout + out.stderr) };
  };
  const [incidentScan, cleanScan] = await Promise.all([scanText(incident.tgz), scanText(clean.tgz)]);
  return { name: 'incident', incidentScan, cleanScan, cleanBundle: join(work, 'build', 'clean', 'dist', 'cli.js') };
}

function mapsCell(s) {
  if (s.mapsHidden) return `${s.mapsHidden} hidden`;
  if (s.mapsRewritten) return `${s.mapsRewritten} rewritten`;
  if (s.mapsNotBuilt && !s.mapsRemoved) return 'not built';
  return s.mapsRemoved ? `${s.mapsRemoved} stripped` : 'none found';
}

function scanCell(scan) {
  if (scan.exit === 0 && scan.findings.length === 0) return 'clean (exit 0)';
  const codes = [...new Set(scan.findings.map((f) => f.code))].join(', ');
  return `${scan.findings.length} finding(s) ${codes} (exit ${scan.exit})`;
}

function showExamples(results) {
  section('1 · The examples: built with their plugin, packed, scanned');
  say('Each example in examples/ is a small agent-like project, configured as its user would.');
  say('Each is built with `npm run build`, the demo key in PILLBOX_KEY as a CI secret would be:');
  say();
  const built = results.filter((r) => r.summary && r.decoys);
  table(
    ['example', 'built with', 'source maps', 'comments', 'decoys planted'],
    results.map((r) => {
      if (r.skipped) return [r.name, r.builtWith, pc.yellow('skipped'), '', r.skipped];
      if (!r.summary || !r.decoys) return [r.name, r.builtWith, pc.red('failed'), '', r.error.split('\n')[0]];
      const d = r.decoys;
      return [
        r.name,
        r.builtWith,
        mapsCell(r.summary),
        r.summary.commentsRemoved ? `${r.summary.commentsRemoved} removed` : 'none',
        `${d.planted} = ${d.byTier.product} + ${d.byTier.channel} + ${d.byTier.release}, in ${d.files} file${d.files === 1 ? '' : 's'}`,
      ];
    }),
  );
  say();
  say(pc.dim('stripped: maps deleted in the build. not built: strip had the bundler skip them (it would delete them).'));
  say(pc.dim('hidden: moved to .pillbox/maps for an error tracker, outside dist/ and the package.'));
  say(pc.dim('comments: sourceMappingURL/debugId references removed.'));
  say(pc.dim('decoys: product + channel + release tiers (the last unique to this build).'));
  const sample = built.find((r) => r.decoys.sampleTool && r.decoys.sampleFlag);
  if (sample) {
    say();
    say(`Decoys are fake tool definitions and feature flags in each bundle's own style; from ${sample.name}:`);
    say(`    tool  ${pc.bold(sample.decoys.sampleTool)}`);
    say(`    flag  ${pc.bold(sample.decoys.sampleFlag)}`);
    say('Without the key they read as real names; with it, `pillbox detect` finds them (section 3).');
    say('Each build sealed its list in .pillbox/manifests/<channel>/<release>.json, encrypted under the key.');
  }
  const packed = results.filter((r) => r.pack && r.scan);
  if (packed.length) {
    say();
    say('`npm pack` of each, then `pillbox scan <tarball>`:');
    say();
    table(
      ['tarball', 'files', 'size', 'pillbox scan'],
      packed.map((r) => [r.pack.filename, String(r.pack.files), kB(r.pack.size), r.scan.exit === 0 ? pc.green(scanCell(r.scan)) : pc.red(scanCell(r.scan))]),
    );
  }
  for (const r of results.filter((x) => x.error)) {
    say();
    say(pc.red(`${r.name}: ${r.error.split('\n')[0]}`));
    quote(r.error.split('\n').slice(1).join('\n'));
  }
  for (const r of results) {
    if (r.skipped) check(`${r.name}: scan of its tarball`, 'clean, exit 0', `skipped: ${r.skipped}`, undefined);
    else if (r.error) check(`${r.name}: scan of its tarball`, 'clean, exit 0', 'the build, pack or scan failed', false);
    else {
      // The plugin's log and the sealed manifest must agree on what was planted.
      const agree = r.summary.decoysPlanted === r.decoys.planted;
      const clean = r.scan.exit === 0 && r.scan.findings.length === 0 && r.scan.errors.length === 0 && r.decoys.planted > 0 && agree;
      const note = agree ? `${r.decoys.planted} decoys planted; maps ${mapsCell(r.summary)}` : `log says ${r.summary.decoysPlanted} decoys, manifest ${r.decoys.planted}`;
      check(`${r.name}: scan of its tarball`, 'clean, exit 0', scanCell(r.scan), clean, note);
    }
  }
}

function showIncident(job) {
  section("2 · The incident's shape: an orphan source map in the package");
  if (job.error) {
    say(pc.red(`the reproduction could not be built: ${job.error}`));
    check('incident reproduction: scan', 'leak, exit 1', 'not built', false);
    return;
  }
  say('A TypeScript agent CLI bundled by esbuild with --sourcemap=external: dist/cli.js.map holds');
  say('every source file and nothing points at it (no sourceMappingURL comment), and "files":');
  say('["dist"] ships it. pillbox.config.json forbids an internal flag name that the public build');
  say('compiles out; only the map still has it. pillbox names the rule, never the string.');
  say();
  const { incidentScan: inc, cleanScan: cln } = job;
  say(pc.dim(`$ pillbox scan ${inc.shown}`));
  quote(inc.text);
  say();
  say(inc.exit === 1 ? pc.red('exit 1: the release is blocked') : pc.red(`exit ${inc.exit}: expected 1`));
  const exposure = /^Exposure: (.*)$/m.exec(inc.text)?.[1] ?? '';
  check('incident reproduction: scan', 'leak, exit 1', `leak, exit ${inc.exit}`, inc.exit === 1 && /source-map-with-content/.test(inc.text), exposure);
  say();
  say('The same app built without maps:');
  say(pc.dim(`$ pillbox scan ${cln.shown}`));
  const verdict = cln.text.split('\n').filter((l) => /^(No leaks found|PASS|FAIL)/.test(l)).join(' ');
  say(`  ${verdict} ${pc.dim(`(exit ${cln.exit})`)}`);
  check('its clean twin: scan', 'clean, exit 0', cln.exit === 0 ? 'clean, exit 0' : `exit ${cln.exit}`, cln.exit === 0);
}


async function showDetect(subject, incident) {
  section('3 · A copied bundle, traced back with pillbox detect');
  if (!subject || subject.error || subject.skipped) {
    const why = subject ? 'its build failed (above)' : 'it was not built (PILLBOX_DEMO_EXAMPLES)';
    say(pc.yellow(`skipped: this step copies examples/${DETECT_SUBJECT}, and ${why}.`));
    check('copied bundle: detect', 'attributed', 'skipped', subject ? false : undefined);
    return;
  }
  mkdirSync(join(work, 'copied'));
  const copyFile = join(work, 'copied', 'agent.js');
  const copy = await makeCopy(join(subject.dir, 'dist', 'cli.js'), copyFile);
  const release = subject.decoys.release;
  const channel = subject.decoys.channel;
  say(`The copy: ${DETECT_SUBJECT}'s shipped dist/cli.js (release ${release} on channel ${channel}), as someone`);
  say('lifting it into their own product would treat it: re-minified by terser (compress, top-level');
  say(`mangle), reformatted, and ${copy.renamed} snake_case strings renamed to camelCase;`);
  say(`${kB(copy.before)} -> ${kB(copy.after)}, saved as copied/agent.js.`);
  say(`The manifests: ${subject.previous ? `releases ${subject.previous} and ${release}` : `release ${release}`} of the same CLI, built with the same key.`);
  say();
  const manifests = relative(work, subject.manifestDir);
  const [found, control] = await Promise.all([
    runDetect({ repo: root, input: 'copied/agent.js', manifestDir: manifests, cwd: work, env }),
    runDetect({ repo: root, input: relative(work, incident.cleanBundle), manifestDir: manifests, cwd: work, env }),
  ]);
  say(pc.dim(`$ pillbox detect copied/agent.js --manifests ${manifests}`));
  say();
  const report = found.report;
  if (!report) {
    say(pc.red(`detect gave no report (exit ${found.exit})`));
    quote(redact(found.stderr));
    check('copied bundle: detect', `release ${release} (${channel})`, `no report, exit ${found.exit}`, false);
    return;
  }
  const p = (x) => (x >= 0.01 ? (x >= 1 ? '1' : x.toPrecision(2)) : x.toExponential(1));
  table(
    ['scope', 'found', 'P(chance) <=', 'verdict'],
    [
      ...report.scopes.map((s) => [s.meaning, `${s.found} of ${s.shipped}`, p(s.adjusted), s.significant ? pc.green('significant') : 'not significant']),
      ['controls (made alike, never shipped)', `${report.search.controlsFound} of ${report.search.controlsSearched}`, '', pc.dim('they measure the chance rate')],
    ],
  );
  const renamedHit = report.scopes
    .flatMap((s) => s.hits)
    .find((h) => h.locations.some((l) => l.form === 'case-or-separators') && copy.renamed && readFileSync(copyFile, 'utf8').includes(camel(h.name)));
  say();
  if (renamedHit) {
    say(`Renaming does not hide them: ${pc.bold(camel(renamedHit.name))} in the copy`);
    say(`is the decoy ${pc.bold(renamedHit.name)} (${renamedHit.id}).`);
  }
  say();
  say(`${redact(found.verdict)} ${pc.dim(`(exit ${found.exit})`)}`);
  const sig = (r) => report.scopes.find((s) => s.tier === 'release' && s.release === r)?.significant;
  const attributed = found.exit === 1 && sig(release) === true && (!subject.previous || sig(subject.previous) === false);
  const got = report.scopes.filter((s) => s.tier === 'release' && s.significant).map((s) => `release ${s.release}`).join(', ') || 'no release';
  check('copied bundle: detect', `release ${release}, exit 1`, `${got}, exit ${found.exit}`, attributed, subject.previous ? `not ${subject.previous}` : '');

  say();
  say('The control: the agent app of section 2, built without decoys:');
  say(pc.dim(`$ pillbox detect ${relative(work, incident.cleanBundle)} --manifests ${manifests}`));
  say(`  ${redact(control.verdict)} ${pc.dim(`(exit ${control.exit})`)}`);
  check('a bundle without decoys: detect', 'no match, exit 0', control.exit === 0 ? 'no match, exit 0' : `exit ${control.exit}`, control.exit === 0 && control.report?.significant === false);
}

function showSummary() {
  section('Summary');
  const mark = (ok) => (ok === undefined ? pc.yellow('–') : ok ? pc.green('✓') : pc.red('✗'));
  table(
    ['', 'check', 'expected', 'result', 'notes'],
    checks.map((c) => [mark(c.ok), c.what, c.expected, c.got, c.note ? pc.dim(c.note) : '']),
  );
  const failed = checks.filter((c) => c.ok === false).length;
  const skipped = checks.filter((c) => c.ok === undefined).length;
  const passed = checks.length - failed - skipped;
  say();
  const tail = `in ${seconds(Date.now() - started)}, ${jobsAtOnce} builds at a time. The demo key (id ${api.keyId(keyBuffer)}) was never printed.`;
  say(failed === 0 ? pc.green(`${passed} of ${checks.length} checks as expected${skipped ? `, ${skipped} skipped` : ''}, ${tail}`) : pc.red(`${failed} of ${checks.length} checks failed, ${tail}`));
  return failed === 0;
}

try {
  console.log(pc.bold('pillbox demo') + pc.dim(' — scan, harden and detect on real builds'));
  say();
  say(`A throwaway decoy key for this run, id ${api.keyId(keyBuffer)}. The key itself is never printed;`);
  say('the builds get it through PILLBOX_KEY. Everything is built in a temporary folder.');
  if (only) say(pc.yellow(`PILLBOX_DEMO_EXAMPLES: only ${examples.map((e) => e.name).join(', ') || '(none)'}`));
  linkWorkModules(root, work);
  const ctx = { repo: root, work, env, api, keyBuffer, redact };
  // A job that throws is reported like one that fails, never as a crash halfway through.
  const failed = (base) => (err) => ({ ...base, error: redact(`failed: ${err?.message ?? err}`) });
  const jobs = [
    ...examples.map((e) => () => runExample(e, ctx).catch(failed(e))),
    () => incidentJob().catch(failed({ name: 'incident' })),
  ];
  let done = 0;
  status(`building ${examples.length} examples and the incident reproduction, ${jobsAtOnce} at a time...`);
  const results = await pool(jobs, jobsAtOnce, (r) => status(`${++done} of ${jobs.length} done (${r.name})...`));
  clearStatus();
  const incident = results.pop();
  showExamples(results);
  showIncident(incident);
  if (incident.error) check('copied bundle: detect', 'attributed', 'skipped: needs section 2', false);
  else await showDetect(results.find((r) => r.name === DETECT_SUBJECT), incident);
  process.exitCode = showSummary() ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
