#!/usr/bin/env node
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`pillbox: ${err && err.message ? err.message : err}`); process.exitCode = 2; },
);
