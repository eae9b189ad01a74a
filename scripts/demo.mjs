#!/usr/bin/env node
// `npm run demo`: build two packages of the same small "agent CLI" with the real esbuild and
// `npm pack` — one shaped like the incident (an orphan dist/cli.js.map holding the TypeScript
// source), one clean — and scan both with the built `pillbox` CLI.
//
// The demo's config forbids an internal feature-flag name. The public build compiles that
// feature out, so only the map can leak it: pillbox reports it by its config entry (forbid[0])
// and never prints the name itself.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODENAME } from '../fixtures/incident/app.mjs';
import { makeIncident } from '../fixtures/incident/make.mjs';
import { makeClean } from '../fixtures/clean/make.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'pillbox.js');
const work = mkdtempSync(join(tmpdir(), 'pillbox-demo-'));
const extraArgs = process.argv.slice(2);

function heading(text) {
  const line = '═'.repeat(Math.min(78, text.length + 4));
  console.log(`\n${line}\n  ${text}\n${line}\n`);
}

function scan(title, tgz) {
  heading(title);
  const shown = relative(work, tgz);
  console.log(`$ pillbox scan ${shown}${extraArgs.length ? ' ' + extraArgs.join(' ') : ''}\n`);
  const result = spawnSync(process.execPath, [bin, 'scan', shown, ...extraArgs], { cwd: work, stdio: 'inherit' });
  console.log(`\n(exit code ${result.status})`);
  return result.status;
}

try {
  // The config a team would keep out of the package (`pillbox init` does): it names what must
  // never ship.
  writeFileSync(join(work, 'pillbox.config.json'), JSON.stringify({ forbid: [`${CODENAME}_undercover_mode`] }, null, 2) + '\n');
  console.log('Building the same small TypeScript CLI twice with esbuild, packing each with npm pack...');
  console.log(`pillbox.config.json forbids ${'`forbid[0]`'}: an internal feature-flag name that the public build compiles out.`);
  const [incident, clean] = await Promise.all([makeIncident(join(work, 'build')), makeClean(join(work, 'build'))]);
  const incidentExit = scan('1. The incident: esbuild --sourcemap=external, no reference comment, map packed', incident.tgz);
  const cleanExit = scan('2. The same app built without source maps', clean.tgz);
  heading('Summary');
  console.log(`incident package: exit ${incidentExit} (1 = findings at or above the threshold: the release is blocked)`);
  console.log(`clean package:    exit ${cleanExit} (0 = nothing to report: the release may ship)`);
  process.exitCode = incidentExit === 1 && cleanExit === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
