import { join } from 'node:path';
import { AGENT_APP, runNode } from './harden-helpers.js';

// The app the webpack and rspack adapter tests build: the shared agent-like app (two entries,
// a dynamic import) plus a third entry that imports CSS (extracted to a .css asset with its
// own map) and a fourth that starts a worker_threads worker through
// `new Worker(new URL('./hash-worker.js', import.meta.url))`, which both bundlers turn into a
// separate worker chunk. Built for node as CommonJS libraries so one process can run them all.

export const BUNDLER_APP: Record<string, string> = {
  ...AGENT_APP,
  'src/ui.css': '.agent-panel {\n  color: rebeccapurple;\n  padding: 4px;\n}\n',
  'src/ui.js': `
import './ui.css';
import { TOOLS } from './tools.js';
import { resolveFlags } from './flags.js';

console.log('ui ' + TOOLS.length + ' ' + JSON.stringify(resolveFlags({ agent_streaming_replies: 0 })));
`,
  // 'worker_threads', not 'node:worker_threads': webpack 5.113 mis-compiles the node: form.
  'src/jobs.js': `
import { Worker } from 'worker_threads';

export function hashInWorker(name) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url));
    worker.once('message', (value) => {
      worker.terminate();
      resolve(value);
    });
    worker.once('error', reject);
    worker.postMessage(name);
  });
}
`,
  'src/hash-worker.js': `
import { parentPort } from 'node:worker_threads';
import { findTool } from './tools.js';

parentPort.on('message', (name) => {
  const tool = findTool(name);
  parentPort.postMessage(tool.name + ' in a worker: ' + tool.description.length);
});
`,
  // Runs every entry of a built output in one process (argv[2] = the output directory).
  // The outputs are CommonJS named .cjs: the fixture's package.json says "type": "module".
  'run-all.cjs': `
const { join } = require('node:path');
const dir = process.argv[2];
(async () => {
  const { main } = require(join(dir, 'cli.cjs'));
  console.log(await main(['tools']));
  console.log(await main(['run', 'read_file', 'a.txt', '--parallel']));
  require(join(dir, 'server.cjs'));
  require(join(dir, 'ui.cjs'));
  console.log(await require(join(dir, 'jobs.cjs')).hashInWorker('search_code'));
})();
`,
};

export const ENTRIES = { cli: './src/cli.js', server: './src/server.js', ui: './src/ui.js', jobs: './src/jobs.js' };

export function appBehaviour(root: string, dir: string): string {
  return runNode(join(root, 'run-all.cjs'), [dir], root);
}

/** What a correct run prints, checked once against the build without the plugin. */
export function expectAppWorks(output: string): void {
  const checks = [/read_file: Read a file/, /read_file\(a\.txt\) -> \d+/, /\{"tool":"search_code"/, /^ui 3 /m, /search_code in a worker: \d+/];
  for (const c of checks) if (!c.test(output)) throw new Error(`the app's output lacks ${c}:\n${output}`);
}
