// Writes a synthetic but code-shaped project to disk: first-party TypeScript under src/ and
// third-party JavaScript under node_modules/, plus an entry that imports every module (so a
// bundler keeps all of it). The real bundler (esbuild) then turns it into the minified bundle
// and the source map the benches scan. Seeded: the same options give the same files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rng } from './prng.mjs';

const WORDS = (
  'agent tool call result message stream token session config option flag feature value ' +
  'state store cache entry index buffer chunk line column source target path file folder ' +
  'request response client server handler route query params header body status error ' +
  'retry timeout delay queue task job worker pool limit count size total offset range ' +
  'parse format render print write read load save open close start stop run exec spawn ' +
  'prompt input output model context window history memory summary plan step action ' +
  'permission policy rule check guard allow deny trust scope user project workspace ' +
  'command argument schema type field name label title description text content block ' +
  'event listener emit signal abort controller resolve reject promise later settle ' +
  'diff patch edit replace insert remove search match pattern glob filter map reduce ' +
  'terminal shell process env platform version update release channel build bundle ' +
  'hook plugin module bundle registry manifest metadata telemetry metric trace span'
).split(' ');

const FIRST_PARTY_FOLDERS = ['tools', 'commands', 'services', 'utils', 'components', 'hooks', 'state', 'api', 'query', 'screens', 'bridge', 'permissions', 'memory', 'tasks', 'skills', 'plugins'];

function cap(w) {
  return w[0].toUpperCase() + w.slice(1);
}

function makeWriter(r) {
  const ident = (parts = r.int(1, 3)) => {
    let s = r.pick(WORDS);
    for (let i = 1; i < parts; i++) s += cap(r.pick(WORDS));
    return s;
  };
  const typeName = () => cap(ident(r.int(1, 2)));
  // Declared names are unique per module (redeclaring is a syntax error).
  const declared = new Set();
  const fresh = (name) => {
    const unique = declared.has(name) ? `${name}${declared.size}` : name;
    declared.add(unique);
    return unique;
  };
  const sentence = (n) => {
    const words = [];
    for (let i = 0; i < n; i++) words.push(r.pick(WORDS));
    const s = words.join(' ');
    return cap(s) + '.';
  };
  const stringLit = () => {
    const kind = r.int(0, 9);
    if (kind === 0) return `\`${sentence(r.int(2, 6))} \${${ident(1)}}\``;
    if (kind === 1) return `"${r.pick(WORDS)}/${r.pick(WORDS)}"`;
    if (kind === 2) return `'${r.pick(WORDS)}-${r.pick(WORDS)}'`;
    return `"${sentence(r.int(2, 9)).replace(/"/g, '')}"`;
  };
  const expr = (ts, isAsync) => {
    switch (r.int(0, 7)) {
      case 0:
        return stringLit();
      case 1:
        return String(r.int(0, 5000));
      case 2:
        return `${ident(1)}.${ident(2)}(${ident(1)}, ${stringLit()})`;
      case 3:
        return `${ident(1)} ${r.pick(['===', '!==', '>', '<', '&&', '||', '??'])} ${ident(1)}`;
      case 4:
        return `{ ${ident(1)}: ${ident(1)}, ${ident(2)}: ${stringLit()} }`;
      case 5:
        return `${isAsync ? 'await ' : ''}${ident(2)}(${ident(1)}${ts ? ` as ${typeName()}` : ''})`;
      case 6:
        return `[${ident(1)}, ${ident(1)}].map((${ident(1)}) => ${ident(1)}.${ident(1)})`;
      default:
        return `${ident(1)}?.${ident(1)} ?? ${stringLit()}`;
    }
  };
  const statements = (indent, depth, ts, isAsync, out) => {
    const n = r.int(2, depth > 0 ? 5 : 9);
    for (let i = 0; i < n; i++) {
      const k = r.int(0, depth >= 2 ? 3 : 10);
      if (k <= 2) out.push(`${indent}const ${fresh(ident(2))}${ts && r.chance(0.3) ? `: ${typeName()}` : ''} = ${expr(ts, isAsync)};`);
      else if (k === 3) out.push(`${indent}${ident(1)}.${ident(2)}(${expr(ts, isAsync)});`);
      else if (k === 4) {
        out.push(`${indent}if (${expr(ts, isAsync)}) {`);
        statements(indent + '  ', depth + 1, ts, isAsync, out);
        out.push(`${indent}}`);
      } else if (k === 5) {
        out.push(`${indent}for (const ${ident(1)} of ${ident(2)}) {`);
        statements(indent + '  ', depth + 1, ts, isAsync, out);
        out.push(`${indent}}`);
      } else if (k === 6) {
        out.push(`${indent}try {`);
        statements(indent + '  ', depth + 1, ts, isAsync, out);
        out.push(`${indent}} catch (${ident(1)}) {`);
        out.push(`${indent}  throw new Error(${stringLit()});`);
        out.push(`${indent}}`);
      } else if (k >= 7 && k <= 9) out.push(`${indent}// ${sentence(r.int(4, 14))}`);
      else out.push(`${indent}${ident(1)}.${ident(1)} = ${expr(ts, isAsync)};`);
    }
    out.push(`${indent}return ${expr(ts, isAsync)};`);
  };
  const docComment = (indent, out) => {
    out.push(`${indent}/**`);
    for (let i = r.int(3, 12); i > 0; i--) out.push(`${indent} * ${sentence(r.int(5, 14))}`);
    out.push(`${indent} */`);
  };
  return { ident, typeName, fresh, sentence, stringLit, statements, docComment };
}

/** One module's text, about `targetBytes` long. */
function moduleText(r, targetBytes, ts, extras) {
  const w = makeWriter(r);
  const out = [];
  let size = 0;
  const flush = (from) => {
    for (let i = from; i < out.length; i++) size += out[i].length + 1;
  };
  out.push(`// ${w.sentence(r.int(6, 12))}`);
  w.docComment('', out);
  w.docComment('', out);
  out.push('');
  flush(0);
  while (size < targetBytes) {
    const from = out.length;
    const kind = r.int(0, 11);
    if (ts && kind <= 3) {
      w.docComment('', out);
      out.push(`export interface ${w.fresh(w.typeName())} {`);
      for (let i = r.int(2, 7); i > 0; i--) out.push(`  ${w.ident(2)}${r.chance(0.3) ? '?' : ''}: ${r.pick(['string', 'number', 'boolean', 'string[]', w.typeName()])};`);
      out.push('}');
    } else if (kind <= 5) {
      const name = w.fresh(w.typeName());
      w.docComment('', out);
      out.push(`export class ${name}${r.chance(0.2) ? ' extends EventTarget' : ''} {`);
      for (let i = r.int(1, 3); i > 0; i--) out.push(`  ${ts ? 'private ' : ''}${w.ident(2)}${ts ? `: ${r.pick(['string', 'number', 'Map<string, unknown>'])}` : ''} = ${w.stringLit()};`);
      for (let i = r.int(2, 5); i > 0; i--) {
        w.docComment('  ', out);
        const isAsync = r.chance(0.4);
        out.push(`  ${isAsync ? 'async ' : ''}${w.ident(2)}(${w.ident(1)}${ts ? ': string' : ''}, ${w.ident(1)}Arg${ts ? `: ${w.typeName()}` : ''}) {`);
        w.statements('    ', 1, ts, isAsync, out);
        out.push('  }');
      }
      out.push('}');
    } else if (kind <= 10) {
      w.docComment('', out);
      const isAsync = r.chance(0.4);
      out.push(`export ${isAsync ? 'async ' : ''}function ${w.fresh(w.ident(r.int(2, 3)))}(${w.ident(1)}${ts ? `: ${w.typeName()}` : ''}, ${w.ident(1)}Arg${ts ? '?: number' : ''}) {`);
      w.statements('  ', 0, ts, isAsync, out);
      out.push('}');
    } else {
      out.push(`export const ${w.fresh(w.ident(2).toUpperCase())} = {`);
      for (let i = r.int(3, 10); i > 0; i--) out.push(`  ${w.ident(2)}: ${w.stringLit()},`);
      out.push('};');
    }
    out.push('');
    flush(from);
  }
  for (const extra of extras) out.push(extra);
  return out.join('\n') + '\n';
}

/**
 * Writes the project under `dir` and returns the entry file's path.
 * @param {{ seed: number, firstParty: number, thirdParty: number, meanBytes: number }} opts
 */
export function writeSyntheticProject(dir, opts) {
  const r = rng(opts.seed);
  const modules = [];
  for (let i = 0; i < opts.firstParty; i++) {
    const folder = r.pick(FIRST_PARTY_FOLDERS);
    const sub = r.chance(0.5) ? `${r.pick(WORDS)}/` : '';
    modules.push({ path: `src/${folder}/${sub}${r.pick(WORDS)}${cap(r.pick(WORDS))}${i}.ts`, ts: true });
  }
  const packages = Math.max(1, Math.round(opts.thirdParty / 25));
  for (let i = 0; i < opts.thirdParty; i++) {
    const pkg = `${r.pick(WORDS)}-${r.pick(WORDS)}${i % packages}`;
    modules.push({ path: `node_modules/${pkg}/lib/${r.pick(WORDS)}${i}.js`, ts: false });
  }
  // A few things real bundles carry: a data: URI image, code that names the map comment
  // marker (as tools handling maps do), a long single line.
  const marker = 'sourceMa' + 'ppingURL';
  const extrasFor = (i) => {
    if (i % 97 === 5) return [`export const ICON${i} = "data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}";`];
    if (i % 211 === 7) return [`export const tail${i} = (url) => "\\n//# ${marker}=" + url;`];
    if (i % 389 === 11) return [`export const TABLE${i} = [${Array.from({ length: 2000 }, (_, k) => k * 7919 % 10007).join(',')}];`];
    return [];
  };
  modules.forEach((m, i) => {
    const size = Math.max(400, Math.round(opts.meanBytes * (0.2 + 1.6 * r.next() * r.next() * 2)));
    const abs = join(dir, m.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, moduleText(r, size, m.ts, extrasFor(i)));
  });
  const entry = join(dir, 'entry.ts');
  const lines = modules.map((m, i) => `import * as m${i} from './${m.path}';`);
  lines.push(`export const registry = [${modules.map((_, i) => `m${i}`).join(', ')}];`);
  writeFileSync(entry, lines.join('\n') + '\n');
  return entry;
}
