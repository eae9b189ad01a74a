// Does offline what `npm install` does for each example's `"pillbox": "file:../.."`:
// node_modules/pillbox -> the repository, node_modules/.bin/pillbox -> its CLI.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);

for (const name of readdirSync(here)) {
  const pkgFile = join(here, name, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const spec = pkg.dependencies?.pillbox ?? pkg.devDependencies?.pillbox;
  if (spec !== 'file:../..') continue;
  const modules = join(here, name, 'node_modules');
  link(join(modules, 'pillbox'), repo);
  link(join(modules, '.bin', 'pillbox'), join(repo, 'bin', 'pillbox.js'));
}

// Leaves a link that is already right alone: tests that build different examples call this at
// the same time, and deleting a correct link would pull it from under a running build.
function link(at, target) {
  const wanted = relative(dirname(at), target);
  mkdirSync(dirname(at), { recursive: true });
  try {
    if (lstatSync(at).isSymbolicLink() && readlinkSync(at) === wanted) return;
    rmSync(at, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  try {
    symlinkSync(wanted, at);
  } catch (err) {
    // Another process made the same link between our check and now.
    if (err.code !== 'EEXIST' || readlinkSync(at) !== wanted) throw err;
  }
}
