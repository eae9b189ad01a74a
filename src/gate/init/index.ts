import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILES } from '../../cli/config.js';
import { detectProjectManager, gateScript, MANAGER_LABEL, PUBLISH_COMMAND, type Detected, type PackageManager } from '../managers.js';
import { npmPackFiles } from '../published.js';
import { CONFIG_FILE_NAME, CONFIG_TEMPLATE } from './config-template.js';

// `pillbox init`: wire the gate into the package manager's publish lifecycle, write a commented
// config, and keep pillbox's private files out of the package (.pillbox/manifests/ stays in git,
// .pillbox/maps/ stays out of git too). Refuses before changing anything when it cannot do this
// safely; a second run changes nothing.

export const GATE_COMMAND = 'pillbox scan';
const NPMIGNORE_LINES = ['/.pillbox/', '/pillbox.config.*'];
const FILES_NEGATIONS = ['!.pillbox', '!pillbox.config.*'];
const GITIGNORE_LINE = '.pillbox/maps/';
/** Written during the check only, to prove the rules exclude these folders' future contents. */
const PROBES = ['.pillbox/manifests/pillbox-init-probe/1.0.0.json', '.pillbox/maps/pillbox-init-probe.js.map'];

export class InitRefused extends Error {
  override name = 'InitRefused';
}

export interface InitResult {
  detected: Detected;
  /** One line per change made (empty: nothing to change). */
  changes: string[];
  /** Things the user should know or do. */
  notes: string[];
}

interface PackageJson {
  scripts?: Record<string, string>;
  files?: string[];
  private?: boolean;
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** Snapshot of a file, to put it back if the final check fails. */
type Saved = { path: string; content: string | undefined };

export async function runInit(cwd: string, env: NodeJS.ProcessEnv): Promise<InitResult> {
  const pkgPath = join(cwd, 'package.json');
  if (!existsSync(pkgPath)) {
    throw new InitRefused(`no package.json in ${cwd}: run pillbox init in the folder of the package you publish`);
  }
  const pkgText = readFileSync(pkgPath, 'utf8');
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(pkgText) as PackageJson;
  } catch (err) {
    throw new InitRefused(`package.json is not valid JSON (${(err as Error).message}); fix it first`);
  }
  if (pkg.private === true) {
    throw new InitRefused(
      'package.json says "private": true, so it is never published and has no publish to gate. ' +
        'Run pillbox init in each workspace package you publish, and `pillbox scan --workspaces` in CI.',
    );
  }
  if (pkg.files !== undefined && !(Array.isArray(pkg.files) && pkg.files.every((f) => typeof f === 'string'))) {
    throw new InitRefused('package.json "files" is not a list of strings; fix it first');
  }
  const detected = detectProjectManager(cwd, env.npm_config_user_agent);
  const manager = detected.manager;
  const changes: string[] = [];
  const notes: string[] = [];

  // 1. The lifecycle script. Decide before touching anything: a refusal changes nothing.
  const script = gateScript(manager);
  const existing = pkg.scripts?.[script];
  const wired = existing !== undefined && existing.includes(GATE_COMMAND);
  if (existing !== undefined && !wired) {
    const chained = script === 'prepack' ? `${existing} && ${GATE_COMMAND}` : `${GATE_COMMAND} && ${existing}`;
    throw new InitRefused(
      `package.json scripts.${script} already runs "${existing}", and pillbox init does not overwrite scripts. ` +
        `The gate must run ${script === 'prepack' ? 'at the end of prepack (Yarn Berry uploads before postpack)' : 'in postpack, after packing and before the upload'}; ` +
        `chain it yourself: "${script}": "${chained}", then run pillbox init again.`,
    );
  }

  const saved: Saved[] = [];
  const save = (path: string) => {
    if (!saved.some((s) => s.path === path)) saved.push({ path, content: existsSync(path) ? readFileSync(path, 'utf8') : undefined });
  };
  // Nothing to do (a second run) needs no packer check: the first run made it.
  const settled =
    wired &&
    CONFIG_FILES.some((f) => existsSync(join(cwd, f))) &&
    (Array.isArray(pkg.files) || (existsSync(join(cwd, '.npmignore')) && NPMIGNORE_LINES.every((l) => hasLine(readFileSync(join(cwd, '.npmignore'), 'utf8'), l)))) &&
    existsSync(join(cwd, '.gitignore')) &&
    [GITIGNORE_LINE, `/${GITIGNORE_LINE}`].some((l) => hasLine(readFileSync(join(cwd, '.gitignore'), 'utf8'), l));
  const before = settled ? [] : await packedFiles(cwd, env);

  const probesMade: string[] = [];
  try {
    if (!wired) {
      pkg.scripts = { ...(pkg.scripts ?? {}), [script]: GATE_COMMAND };
      changes.push(`package.json: scripts.${script} = "${GATE_COMMAND}" (${whyScript(manager)})`);
    }

    // 2. The config file: written once, then the user's.
    const configs = CONFIG_FILES.filter((f) => existsSync(join(cwd, f)));
    if (configs.length === 0) {
      save(join(cwd, CONFIG_FILE_NAME));
      writeFileSync(join(cwd, CONFIG_FILE_NAME), CONFIG_TEMPLATE);
      changes.push(`${CONFIG_FILE_NAME}: created, commented (failOn, allow, forbid, baseline)`);
    }

    // 3. Keep private files out of the package.
    if (Array.isArray(pkg.files)) {
      // An allow-list: only what it names ships. Negations are added only if the check below
      // finds that it names pillbox's files (e.g. "files": ["*"]).
    } else {
      const npmignore = join(cwd, '.npmignore');
      if (existsSync(npmignore)) {
        const text = readFileSync(npmignore, 'utf8');
        const missing = NPMIGNORE_LINES.filter((l) => !hasLine(text, l));
        if (missing.length > 0) {
          save(npmignore);
          writeFileSync(npmignore, appendBlock(text, missing));
          changes.push(`.npmignore: added ${missing.join(' ')}`);
        }
      } else {
        // npm reads .npmignore INSTEAD of .gitignore once it exists: without carrying the
        // .gitignore rules over, a new .npmignore would start shipping .env files and the like.
        const gitignore = join(cwd, '.gitignore');
        const carried = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
        save(npmignore);
        writeFileSync(npmignore, newNpmignore(carried));
        changes.push(
          `.npmignore: created with ${NPMIGNORE_LINES.join(' ')}` +
            (carried ? ' and the rules of .gitignore carried over (npm stops reading .gitignore once .npmignore exists)' : ''),
        );
      }
    }

    // 4. Git: hidden maps out, manifests in.
    const gitignore = join(cwd, '.gitignore');
    const gitText = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
    if (!hasLine(gitText, GITIGNORE_LINE) && !hasLine(gitText, `/${GITIGNORE_LINE}`)) {
      save(gitignore);
      writeFileSync(gitignore, appendBlock(gitText, [GITIGNORE_LINE], '# pillbox: hidden source maps stay out of git (.pillbox/manifests/ is committed)'));
      changes.push(`.gitignore: added ${GITIGNORE_LINE} (hidden maps stay out of git; .pillbox/manifests/ stays in)`);
    }
    if (['.pillbox', '.pillbox/', '/.pillbox', '/.pillbox/', '.pillbox/*', '.pillbox/manifests', '.pillbox/manifests/'].some((l) => hasLine(gitText, l))) {
      notes.push('.gitignore ignores .pillbox/manifests/: commit the decoy manifests (detect needs them for years); narrow that rule to .pillbox/maps/');
    }

    writePackageJson(pkgPath, pkgText, pkg, save);

    // 5. Check with the packer: nothing private ships, nothing that did not ship before does.
    if (settled && changes.length === 0) return finish();
    for (const probe of PROBES) {
      const abs = join(cwd, probe);
      if (existsSync(abs)) continue;
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(abs, '{}');
      probesMade.push(abs);
    }
    let after = await packedFiles(cwd, env);
    let leaked = after.filter(isPrivate);
    if (leaked.length > 0 && Array.isArray(pkg.files)) {
      const add = FILES_NEGATIONS.filter((n) => !pkg.files!.includes(n));
      pkg.files = [...pkg.files, ...add];
      writePackageJson(pkgPath, pkgText, pkg, save);
      changes.push(`package.json: "files" += ${add.map((a) => JSON.stringify(a)).join(', ')} (it named pillbox's private files)`);
      after = await packedFiles(cwd, env);
      leaked = after.filter(isPrivate);
    }
    if (leaked.length > 0) {
      throw new InitRefused(`pillbox's private files would still be packed (${leaked.slice(0, 3).join(', ')}); keep .pillbox/ and pillbox.config.* out of the package by hand`);
    }
    const added = after.filter((f) => !before.includes(f) && !isPrivate(f));
    if (added.length > 0) {
      throw new InitRefused(`the new ignore rules would start packing files that did not ship before (${added.slice(0, 5).join(', ')}); add a "files" list to package.json, then run pillbox init again`);
    }
  } catch (err) {
    restore(saved);
    throw err;
  } finally {
    for (const probe of probesMade) rmSync(probe, { force: true });
    removeEmptyProbeDirs(cwd);
  }

  return finish();

  function finish(): InitResult {
    if (manager !== 'npm') notes.push(`checked with npm's packer rules (files, .npmignore, .gitignore), which ${MANAGER_LABEL[manager]} follows`);
    const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
    if (!('pillbox' in deps)) notes.push(`add pillbox to devDependencies so the ${script} script finds it: ${installCommand(manager)}`);
    if (pkg.scripts?.prepublishOnly?.includes(GATE_COMMAND)) {
      notes.push(`scripts.prepublishOnly also runs ${GATE_COMMAND}: it runs BEFORE prepack, on the tree before the build; the ${script} gate replaces it`);
    }
    notes.push(`try it: ${PUBLISH_COMMAND[manager]} --dry-run`);
    return { detected, changes, notes };
  }
}

function whyScript(manager: PackageManager): string {
  return manager === 'yarn'
    ? 'Yarn Berry uploads before postpack, so the gate ends prepack; put your build before it'
    : `${MANAGER_LABEL[manager]} runs postpack after packing and before the upload; a failure stops ${PUBLISH_COMMAND[manager]}`;
}

function installCommand(manager: PackageManager): string {
  switch (manager) {
    case 'pnpm':
      return 'pnpm add -D pillbox';
    case 'yarn':
    case 'yarn-classic':
      return 'yarn add -D pillbox';
    case 'bun':
      return 'bun add -d pillbox';
    default:
      return 'npm install --save-dev pillbox';
  }
}

function isPrivate(path: string): boolean {
  return path.startsWith('.pillbox/') || /^pillbox\.config\.[^/]+$/.test(path);
}

async function packedFiles(cwd: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const listed = await npmPackFiles(cwd, env);
  if ('error' in listed) throw new InitRefused(`cannot check what the package would ship: ${listed.error}`);
  return listed.files.map((f) => f.path);
}

function hasLine(text: string, line: string): boolean {
  return text.split(/\r?\n/).some((l) => l.trim() === line);
}

function appendBlock(text: string, lines: string[], comment = '# pillbox: private files (decoy manifests, hidden maps, the config listing forbidden strings)'): string {
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}${text === '' ? '' : '\n'}${comment}\n${lines.join('\n')}\n`;
}

function newNpmignore(gitignore: string): string {
  const head = '# Written by pillbox init. npm reads this file INSTEAD of .gitignore, so the rules\n# of .gitignore are carried over below: keep the two in step.\n';
  const carried = gitignore ? `\n# --- from .gitignore ---\n${gitignore}${gitignore.endsWith('\n') ? '' : '\n'}# --- end of .gitignore ---\n` : '';
  return appendBlock(head + carried, NPMIGNORE_LINES);
}

/** Keeps the file's indentation and final newline. */
function writePackageJson(path: string, original: string, pkg: PackageJson, save: (p: string) => void): void {
  const indent = /^[ \t]+(?=")/m.exec(original)?.[0] ?? '  ';
  const text = JSON.stringify(pkg, null, indent) + (original.endsWith('\n') ? '\n' : '');
  if (text === original || (existsSync(path) && readFileSync(path, 'utf8') === text)) return;
  save(path);
  writeFileSync(path, text);
}

function restore(saved: Saved[]): void {
  for (const { path, content } of saved) {
    if (content === undefined) rmSync(path, { force: true });
    else writeFileSync(path, content);
  }
}

function removeEmptyProbeDirs(cwd: string): void {
  for (const dir of ['.pillbox/manifests/pillbox-init-probe', '.pillbox/manifests', '.pillbox/maps', '.pillbox']) {
    try {
      rmdirSync(join(cwd, dir));
    } catch {
      // Not empty (the user's files) or absent: leave it.
    }
  }
}
