import { randomBytes } from 'node:crypto';
import { buildDecoySet } from './index.js';
import { NameIndex } from './names.js';
import { applyPlacements, planChunk } from './place.js';
import { KeyedStream } from './random.js';
import { scanChunk } from './scan.js';
import { learnStyle } from './style.js';

// The decoy engine run on a small made-up bundle, to be called while a bundler builds in
// another process (esbuild builds in Go while Node's thread idles). A production build calls
// the engine once, on megabytes: without this, V8 runs that one call largely unoptimized (the
// scanner module's first slices, acorn and the engine's own JavaScript: about half of the
// call's time, bench/README.md "Decoys"). Nothing is written and nothing is kept: the key is
// random and thrown away, and the result does not depend on the warm-up having run.

const TOOLS = ['read_workspace_file', 'list_open_buffers', 'search_project_index', 'run_shell_command', 'fetch_issue_thread', 'apply_text_patch'];

function sampleBundle(): string {
  const parts: string[] = ['"use strict";var flags=new Map;function flag(n,d){return flags.has(n)?flags.get(n):d}'];
  for (let i = 0; i < 24; i++) {
    const name = TOOLS[i % TOOLS.length] + (i >= TOOLS.length ? `_${i}` : '');
    parts.push(
      `const t${i}={name:"${name}",description:"Reads the state of the workspace and returns it as text for step ${i}.",` +
        `input_schema:{type:"object",properties:{path:{type:"string",description:"Where to look"},mode:{type:"string",enum:["fast","full"]},` +
        `limit:{type:"number",description:"How many results at most"}},required:["path"]}};`,
      `function handle${i}(request,options){if(request==="${name}")return run${i}(options);switch(request){case "a${i}":return 1;case "b${i}":return 2;default:return flag("amber_lantern_${i}",!1)}}`,
      `export const run${i}=(input,extra)=>{const re=/[a-z]+\\/${i}/g,t=\`v\${input}w\${extra?.x??0}\`;return[input].map(function(x){return x+${i}}).filter(y=>{return re.test(t+y)})};`,
      `class Service${i}{constructor(z){this.z=z}async load(key){return await this.z.get(key)}static make(v){return new Service${i}(v)}}`,
    );
  }
  return parts.join('\n');
}

let started = false;
let stopped = false;
let running: Promise<void> = Promise.resolve();

/** Whether a warm-up has started in this process (tests check which sessions start one). */
export function warmUpStarted(): boolean {
  return started;
}

/** For tests: settles when this process's warm-up has run all its steps (or was stopped). */
export function warmUpSettled(): Promise<void> {
  return running;
}

/** Later steps of a running warm-up are skipped: the real work has begun. */
export function stopWarmUp(): void {
  stopped = true;
}

/**
 * Runs the engine's hot paths once per process on a made-up bundle; later calls return at once.
 * Each step yields to the event loop first and none runs after `stopWarmUp()`, so a build that
 * ends early waits for at most one step (a few milliseconds), never the whole warm-up.
 */
export async function warmUpDecoys(): Promise<void> {
  if (started) return;
  started = true;
  running = warmUp();
  await running;
}

async function warmUp(): Promise<void> {
  const code = sampleBundle();
  const step = async <T>(work: () => T): Promise<T | undefined> => {
    await new Promise((resolve) => setImmediate(resolve));
    return stopped ? undefined : work();
  };
  // The scanner's slices are what V8 must see run before it swaps in optimized code.
  for (let k = 0; k < 8; k++) await step(() => scanChunk(code));
  const scan = await step(() => scanChunk(code));
  if (!scan) return;
  const style = await step(() => learnStyle([{ code, scan }]));
  if (!style) return;
  const key = randomBytes(32);
  const set = await step(() => {
    const bundleNames = new NameIndex();
    bundleNames.addAll(scan.names);
    return buildDecoySet({ key, channel: 'warm-up', release: '0', count: 16, style, bundleNames });
  });
  if (!set) return;
  await step(() => applyPlacements(code, planChunk(code, scan, set.shipped, style, new KeyedStream(key, 'warm-up'))));
}
