import { describe, expect, it } from 'vitest';
import { transform } from 'esbuild';
import { join } from 'node:path';
import { findTrailingDirectives, removeDirectives } from '../src/maps/comments.js';
import { decodeDataUriMap, dropSourcesContent, parseSourceMap, relativiseLocalPaths, type SourceMapV3 } from '../src/maps/sourcemap.js';
import { transformPair } from '../src/maps/index.js';

// The literal markers are fine in tests (only src/ must avoid them).
const SMU = '//# sourceMappingURL=';

describe('trailing directive comments', () => {
  it('finds //#, //@, /*# */, debugId and sourceURL at the end of a file', () => {
    const code = `console.log(1);\n${SMU}a.js.map\n//@ sourceMappingURL=b.js.map\n/*# sourceMappingURL=c.js.map */\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n//# sourceURL=app.js\n`;
    const found = findTrailingDirectives(code, 'js');
    expect(found.map((d) => [d.kind, d.value])).toEqual([
      ['sourceMappingURL', 'a.js.map'],
      ['sourceMappingURL', 'b.js.map'],
      ['sourceMappingURL', 'c.js.map'],
      ['debugId', '85314830-023f-4cf1-a267-535f4e37bb17'],
      ['sourceURL', 'app.js'],
    ]);
  });

  it('ignores directive-looking text followed by code, inside strings and templates', () => {
    const inString = `const s = "\\n${SMU}x.map";\nrun(s);\n`;
    expect(findTrailingDirectives(inString, 'js')).toEqual([]);
    const inTemplate = `const t = \`\n${SMU}x.map\n\`;\n`;
    expect(findTrailingDirectives(inTemplate, 'js')).toEqual([]);
    const midFile = `${SMU}early.map\nconsole.log(1);\n`;
    expect(findTrailingDirectives(midFile, 'js')).toEqual([]);
    const afterCode = `foo(); ${SMU}x.map\n`;
    expect(findTrailingDirectives(afterCode, 'js')).toEqual([]);
  });

  it('ends lines at \\r\\n, \\r, U+2028 and U+2029, and looks past megabytes of one minified line', () => {
    for (const br of ['\r\n', '\r', '\u2028', '\u2029']) {
      expect(findTrailingDirectives(`x();${br}${SMU}a.map${br}`, 'js').map((d) => d.value), JSON.stringify(br)).toEqual(['a.map']);
      expect(findTrailingDirectives(`x();${br}${SMU}a.map${br}y();`, 'js'), JSON.stringify(br)).toEqual([]);
    }
    const long = `a="${SMU}fake.map";` + 'b=1;'.repeat(500_000) + `\n${SMU}real.map\n`;
    expect(findTrailingDirectives(long, 'js').map((d) => d.value)).toEqual(['real.map']);
    expect(findTrailingDirectives(long.replace(/\n$/, ' z();'), 'js')).toEqual([]);
  });

  it('keeps code that follows a directive-looking line in a template (a minifier makes those)', async () => {
    // esbuild turns "\n//# sourceMappingURL=" + url into a template with a real line break, so
    // the line reads like a comment up to the next break — which is code, and must stay.
    const src = `export const tail = (u) => "\\n${SMU}" + u;\nexport const two = (u) => "\\n${SMU}" + u + 2;\n`;
    const { code } = await transform(src, { minify: true, format: 'esm', sourcemap: 'inline' });
    expect(code).toMatch(/`\n\/\/# sourceMappingURL=`\+/);
    const found = findTrailingDirectives(code, 'js');
    expect(found.map((d) => d.value.startsWith('data:'))).toEqual([true]);
    const stripped = removeDirectives(code, 'js', ['sourceMappingURL']).code;
    expect(stripped).toBe(code.slice(0, found[0].start));
    expect(stripped).toContain('two');
    // The same with no space anywhere on the template's line.
    const bare = (await transform(`globalThis.f = (u) => "\\n${SMU}" + u;\n`, { minify: true })).code;
    expect(bare).toMatch(/`\n\/\/# sourceMappingURL=`\+\w+;\n$/);
    expect(findTrailingDirectives(bare, 'js')).toEqual([]);
    expect(removeDirectives(bare, 'js', ['sourceMappingURL']).code).toBe(bare);
  });

  it('allows legal comments between the directives and the end', () => {
    const code = `a();\n${SMU}x.map\n/*! license */\n// trailing note\n`;
    expect(findTrailingDirectives(code, 'js').map((d) => d.value)).toEqual(['x.map']);
  });

  it('reads CSS block comments only', () => {
    const css = `a{color:red}\n/*# sourceMappingURL=app.css.map */\n`;
    expect(findTrailingDirectives(css, 'css').map((d) => d.value)).toEqual(['app.css.map']);
    expect(findTrailingDirectives(`a{}\n${SMU}x.map\n`, 'css')).toEqual([]);
  });

  it('removes directives and the lines they leave empty, and nothing else', () => {
    const body = 'export const a = 1;\n';
    const code = `${body}//# debugId=1234\n${SMU}a.js.map\n`;
    const hidden = removeDirectives(code, 'js', ['sourceMappingURL']);
    expect(hidden.code).toBe(`${body}//# debugId=1234\n`);
    const strip = removeDirectives(code, 'js', ['sourceMappingURL', 'debugId', 'sourceURL']);
    expect(strip.code).toBe(body);
    // No trailing newline after the directive.
    expect(removeDirectives(`x();\n${SMU}a.map`, 'js', ['sourceMappingURL']).code).toBe('x();\n');
  });
});

describe('map transforms', () => {
  const home = '/home/alice/work/app';
  const map: SourceMapV3 = {
    version: 3,
    sources: [`${home}/src/index.ts`, 'file:///home/alice/work/app/src/util.ts', '../node_modules/lib/index.js', 'webpack://app/./src/x.ts', '/opt/cache/node_modules/dep/a.js', '/tmp/other/b.ts'],
    sourcesContent: ['real source', 'more', 'dep', 'x', 'a', 'b'],
    names: [],
    mappings: 'AAAA',
  };

  it('nosources drops sourcesContent and keeps the rest', () => {
    const out = dropSourcesContent(map) as SourceMapV3;
    expect(out.sourcesContent).toBeUndefined();
    expect(out.sources).toEqual(map.sources);
    expect(map.sourcesContent).toHaveLength(6); // input untouched
  });

  it('rewrites local absolute paths relative to the map, never leaving the project', () => {
    const out = relativiseLocalPaths(map, { mapPath: join(home, 'dist/index.js.map'), projectRoot: home }) as SourceMapV3;
    expect(out.sources).toEqual([
      '../src/index.ts',
      '../src/util.ts',
      '../node_modules/lib/index.js',
      'webpack://app/./src/x.ts',
      '../node_modules/dep/a.js',
      '../external/b.ts',
    ]);
  });

  it('folds a local absolute sourceRoot into the sources', () => {
    const withRoot: SourceMapV3 = { version: 3, sourceRoot: `${home}/src/`, sources: ['a.ts'], names: [], mappings: '' };
    const out = relativiseLocalPaths(withRoot, { mapPath: join(home, 'dist/a.js.map'), projectRoot: home }) as SourceMapV3;
    expect(out.sourceRoot).toBeUndefined();
    expect(out.sources).toEqual(['../src/a.ts']);
  });

  it('parses maps behind the XSSI prefix and rejects JSON that is not a map', () => {
    expect(parseSourceMap(")]}'\n" + JSON.stringify(map))).not.toBeNull();
    expect(parseSourceMap('{"name":"pkg","version":"3"}')).toBeNull();
    expect(parseSourceMap('not json')).toBeNull();
  });
});

describe('transformPair on real esbuild output', () => {
  async function build() {
    const r = await transform('export function greet(name: string) { return "hi " + name }\n', {
      loader: 'ts',
      sourcemap: 'inline',
      sourcefile: '/home/alice/work/app/src/greet.ts',
      format: 'esm',
    });
    return r.code;
  }
  const paths = { mapPath: '/home/alice/work/app/dist/greet.js.map', projectRoot: '/home/alice/work/app' };

  it('strip removes the inline map comment; hidden hands the inline map over', async () => {
    const code = await build();
    expect(code).toContain('sourceMappingURL=data:');
    const strip = transformPair('strip', { fileName: 'greet.js', lang: 'js', code, paths });
    expect(strip.code).not.toContain('sourceMappingURL');
    expect(strip.code).toContain('function greet');
    const hidden = transformPair('hidden', { fileName: 'greet.js', lang: 'js', code, paths });
    expect(hidden.code).not.toContain('sourceMappingURL');
    expect((hidden.hiddenMap as SourceMapV3).sourcesContent?.[0]).toContain('greet');
  });

  it('nosources re-encodes the inline map without content or local paths', async () => {
    const code = await build();
    const out = transformPair('nosources', { fileName: 'greet.js', lang: 'js', code, paths });
    const ref = findTrailingDirectives(out.code, 'js').find((d) => d.kind === 'sourceMappingURL');
    const inline = decodeDataUriMap(ref!.value) as SourceMapV3;
    expect(inline.sourcesContent).toBeUndefined();
    expect(inline.sources).toEqual(['../src/greet.ts']);
    expect(inline.mappings).toBe((decodeDataUriMap(findTrailingDirectives(code, 'js')[0].value) as SourceMapV3).mappings);
  });

  it('keep changes nothing', async () => {
    const code = await build();
    expect(transformPair('keep', { fileName: 'greet.js', lang: 'js', code, paths }).code).toBe(code);
  });
});
