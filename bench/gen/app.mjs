// The large app for the build-plugin bench (issues 3 and 4, "Speed"): the scan bench's
// synthetic project (code-shaped TypeScript and node_modules JavaScript) plus what makes decoys
// meaningful — an agent layer with tool definitions (`input_schema`), feature flags read
// through one getter, and switches in tool handlers — and a few lazily imported screens so the
// bundlers split code. Sources only: each bench builds them with its own bundler.
// Seeded: the same options give the same files.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transformSync } from 'esbuild';
import { rng } from './prng.mjs';
import { writeSyntheticProject } from './synthetic-project.mjs';

const VERBS = ['read', 'write', 'list', 'search', 'fetch', 'run', 'edit', 'create', 'delete', 'watch', 'open', 'diff', 'check', 'sync'];
const OBJECTS = ['file', 'folder', 'issue', 'branch', 'commit', 'task', 'note', 'page', 'record', 'log', 'query', 'snapshot', 'ticket', 'job'];
const FLAG_WORDS = ['compact', 'stream', 'retry', 'memory', 'plan', 'mode', 'cache', 'preview', 'agent', 'tool', 'batch', 'sandbox', 'voice', 'sync'];
const PROPS = ['path', 'pattern', 'limit', 'offset', 'content', 'query', 'mode', 'timeout', 'recursive', 'branch', 'message', 'format'];

function toolModule(r, i) {
  const verb = r.pick(VERBS);
  const object = r.pick(OBJECTS);
  const props = [...new Set(Array.from({ length: r.int(1, 4) }, () => r.pick(PROPS)))];
  const schema = props
    .map((p) => {
      const enumPart = p === 'mode' || p === 'format' ? `, enum: ['fast', 'full', 'auto']` : '';
      const type = p === 'limit' || p === 'offset' || p === 'timeout' ? 'number' : p === 'recursive' ? 'boolean' : 'string';
      return `      ${p}: { type: '${type}', description: 'The ${p} to ${verb} the ${object} with.'${enumPart} },`;
    })
    .join('\n');
  const cases = ['fast', 'full', 'auto', 'dry']
    .map((c, k) => `      case '${c}':\n        result.push(await ctx.${r.pick(VERBS)}${k}(input.${props[0]}, ${r.int(1, 99)}));\n        break;`)
    .join('\n');
  return `import { isFeatureEnabled } from '../flags';

export const ${verb}${object[0].toUpperCase()}${object.slice(1)}Tool${i} = {
  name: '${verb}_${object}${i % 7 === 0 ? '' : `_${i}`}',
  description: '${verb[0].toUpperCase()}${verb.slice(1)}s a ${object} in the workspace and returns what the user asked for, in order.',
  input_schema: {
    type: 'object',
    properties: {
${schema}
    },
    required: ['${props[0]}'],
  },
  async call(input, ctx) {
    const result = [];
    if (isFeatureEnabled('tengu_${r.pick(FLAG_WORDS)}_${r.pick(FLAG_WORDS)}')) result.push(ctx.trace('${verb}'));
    switch (input.mode) {
${cases}
      default:
        result.push(await ctx.run(input));
    }
    return result.filter((item) => item !== undefined);
  },
};
`;
}

/**
 * Writes the app under `dir` and returns `{ entry, modules }` (entry: an ES module importing
 * everything, with `import()`s of the lazy screens).
 * @param {string} dir
 * @param {{ seed?: number, firstParty?: number, thirdParty?: number, meanBytes?: number, tools?: number, lazy?: number }} [o]
 */
export function writeLargeApp(dir, o = {}) {
  const seed = o.seed ?? 41;
  const r = rng(seed);
  const core = writeSyntheticProject(join(dir, 'core'), { seed, firstParty: o.firstParty ?? 1000, thirdParty: o.thirdParty ?? 700, meanBytes: o.meanBytes ?? 9000 });
  const agent = join(dir, 'agent');
  mkdirSync(join(agent, 'tools'), { recursive: true });
  writeFileSync(
    join(agent, 'flags.js'),
    `const overrides = new Map();\nexport function isFeatureEnabled(name) {\n  return overrides.get(name) ?? name.length % 3 === 0;\n}\nexport function setFeature(name, on) {\n  overrides.set(name, on);\n}\n`,
  );
  const tools = [];
  for (let i = 0; i < (o.tools ?? 60); i++) {
    writeFileSync(join(agent, 'tools', `tool${i}.js`), toolModule(r, i));
    tools.push(`./agent/tools/tool${i}.js`);
  }
  // Lazy screens: each a slice of a second synthetic project, reached only through import().
  const lazy = [];
  for (let i = 0; i < (o.lazy ?? 3); i++) {
    const screenEntry = writeSyntheticProject(join(dir, `screen${i}`), { seed: seed + 100 + i, firstParty: 60, thirdParty: 20, meanBytes: 8000 });
    lazy.push('./' + relative(dir, screenEntry).split('\\').join('/'));
  }
  const lines = [
    `export * as core from './${relative(dir, core).split('\\').join('/')}';`,
    ...tools.map((t, i) => `import * as tool${i} from '${t}';`),
    `export const tools = [${tools.map((_, i) => `...Object.values(tool${i})`).join(', ')}];`,
    `export { isFeatureEnabled, setFeature } from './agent/flags.js';`,
    `export const screens = [${lazy.map((l) => `() => import('${l}')`).join(', ')}];`,
  ];
  const entry = join(dir, 'main.js');
  writeFileSync(entry, lines.join('\n') + '\n');
  toJavaScript(dir);
  return { entry };
}

/** Types stripped file by file (esbuild's transform, no bundling), so rollup needs no TS plugin. */
function toJavaScript(dir) {
  for (const ent of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!ent.isFile()) continue;
    const path = join(ent.parentPath ?? ent.path, ent.name);
    if (path.endsWith('.ts')) {
      const { code } = transformSync(readFileSync(path, 'utf8'), { loader: 'ts', format: 'esm' });
      writeFileSync(path.slice(0, -3) + '.js', jsSpecifiers(code));
      rmSync(path);
    } else if (path.endsWith('.js')) {
      const text = readFileSync(path, 'utf8');
      const rewritten = jsSpecifiers(text);
      if (rewritten !== text) writeFileSync(path, rewritten);
    }
  }
}

const jsSpecifiers = (code) => code.replace(/((?:from|import\()\s*["'][^"']*)\.ts(["'])/g, '$1.js$2');
