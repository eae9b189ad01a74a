import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseFile } from '../src/scan/analyse-file.js';
import { extractDirectives, findInlineMaps } from '../src/scan/references.js';

// Reference comments (ECMA-426 extraction) and inline data: URI maps, on bytes.

const MARK = 'sourceMappingURL';

function directives(text: string | Buffer, css = false): Array<[string, string, string]> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return extractDirectives(buf, { css }).map((d) => [d.name, d.value, d.form]);
}

const MAP = { version: 3, sources: ['../src/a.ts'], sourcesContent: ['export const a = 1;\n'], names: [], mappings: 'AAAA' };
const BASE64 = Buffer.from(JSON.stringify(MAP)).toString('base64');
const DATA_URI = `data:application/json;charset=utf-8;base64,${BASE64}`;

describe('extractDirectives (ECMA-426, without parsing)', () => {
  it('finds trailing //#, legacy //@ and /*# */ comments', () => {
    expect(directives(`a();\n//# ${MARK}=a.js.map\n`)).toEqual([[MARK, 'a.js.map', 'line-comment']]);
    expect(directives(`a();\n//@ ${MARK}=a.js.map`)).toEqual([[MARK, 'a.js.map', 'line-comment']]);
    expect(directives(`a();\n/*# ${MARK}=a.js.map */\n`)).toEqual([[MARK, 'a.js.map', 'block-comment']]);
    expect(directives(`a(); //# ${MARK}=a.js.map`)).toEqual([[MARK, 'a.js.map', 'line-comment']]);
    expect(directives(`.a{}\n/*# ${MARK}=app.css.map*/`, true)).toEqual([[MARK, 'app.css.map', 'block-comment']]);
  });

  it('keeps the last one when several trail, and finds sourceURL and debugId beside it', () => {
    const text = `x();\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n//# ${MARK}=old.map\n//# ${MARK}=new.map\n// trailing note\n\n`;
    expect(directives(text)).toEqual([
      ['debugId', '85314830-023f-4cf1-a267-535f4e37bb17', 'line-comment'],
      [MARK, 'new.map', 'line-comment'],
    ]);
  });

  it('a comment followed by code is not a reference (the spec resets lastURL on code)', () => {
    expect(directives(`//# ${MARK}=a.js.map\nmore();\n`)).toEqual([]);
    expect(directives(`/*# ${MARK}=a.js.map */ more();`)).toEqual([]);
  });

  it('code that builds the marker is not a reference', () => {
    expect(directives(`const c = "//# ${MARK}=" + name;\n`)).toEqual([]);
    expect(directives(`emit("//# ${MARK}="+name)`)).toEqual([]);
    expect(directives(`const c = \`//# ${MARK}=\${url}\`;`)).toEqual([]);
    expect(directives(`const re = /\\/\\/# ${MARK}=(.*)/;`)).toEqual([]);
    expect(directives(`x = 1;\n//# ${MARK}="quoted.map"`)).toEqual([]);
    expect(directives(`x = 1;\n//# ${MARK}=a.map more words`)).toEqual([]);
    expect(directives(`x = 1;\n//# ${MARK}=\n`)).toEqual([]);
    // In CSS, // does not start a comment.
    expect(directives(`.a{}\n//# ${MARK}=app.css.map`, true)).toEqual([]);
  });

  it('finds comments inside eval strings after an escaped line break, and not in tool source', () => {
    const evalCode = `eval("x = 1;\\n//# sourceURL=webpack://app/./src/a.ts\\n//# ${MARK}=a.js.map\\n");\nother();\n`;
    expect(directives(evalCode)).toEqual([
      ['sourceURL', 'webpack://app/./src/a.ts', 'eval-string'],
      [MARK, 'a.js.map', 'eval-string'],
    ]);
    expect(directives(`new Function("return 1\\n//# sourceURL=dyn.js")`)).toEqual([['sourceURL', 'dyn.js', 'eval-string']]);
    expect(directives(`const footer = "\\n//# sourceURL=[module]\\n//# ${MARK}=[url]";\nuse(footer);`)).toEqual([]);
    expect(directives(`result.code += "\\n//# ${MARK}=" + url;`)).toEqual([]);
  });

  it('handles CRLF, U+2028 line breaks and unicode white space', () => {
    expect(directives(`a();\r\n//#\u00a0${MARK}=a.map\r\n`)).toEqual([[MARK, 'a.map', 'line-comment']]);
    expect(directives(`a();\u2028//# ${MARK}=b.map`)).toEqual([[MARK, 'b.map', 'line-comment']]);
  });
});

describe('findInlineMaps', () => {
  it('decodes base64 and percent-encoded data: URIs, in comments and in string literals', () => {
    const percent = `data:application/json,${encodeURIComponent(JSON.stringify(MAP))}`;
    const raw = `data:application/json,${JSON.stringify(MAP)}`;
    for (const text of [`x();\n//# ${MARK}=${raw}\n`, `.a{}\n/*# ${MARK}=${raw} */\n`, `x();\n//# ${MARK}=${DATA_URI}\n`, `eval("x();\\n//# ${MARK}=${DATA_URI}\\n")`, `const m = '${DATA_URI}';`, `x();\n/*# ${MARK}=${percent} */`, `x = '${percent}';`]) {
      const found = findInlineMaps(Buffer.from(text));
      expect(found, text.slice(0, 40)).toHaveLength(1);
      const sniff = found[0].sniff;
      expect(sniff.kind === 'map' && sniff.map.entries[0].content?.bytes).toBe(MAP.sourcesContent[0].length);
    }
  });

  it('ignores data: URIs that are not maps, and literals that only name the marker', () => {
    const png = `url(data:image/png;base64,${Buffer.from('\x89PNG\r\n\x1a\n0000000000000000000000').toString('base64')})`;
    const json = `data:application/json;base64,${Buffer.from('{"name":"not a map","version":"1"}').toString('base64')}`;
    const text = `${png}\nconst x = {data: value};\n"//# ${MARK}=data:application/json;base64," + b64;\n'${json}'`;
    expect(findInlineMaps(Buffer.from(text))).toEqual([]);
  });

  it('a truncated inline map is reported as invalid, not skipped', () => {
    const cut = `//# ${MARK}=data:application/json;base64,${BASE64.slice(0, 40)}`;
    const found = findInlineMaps(Buffer.from(cut));
    expect(found.map((m) => m.sniff.kind)).toEqual(['invalid']);
  });
});

describe('whole files', () => {
  function realFiles(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(dir, f))
      .filter((f) => /\.[cm]?js$/.test(f) && statSync(f).isFile());
  }

  it('terser and source-map sources name the marker but hold no reference and no inline map', () => {
    const files = [...realFiles('node_modules/terser/dist'), ...realFiles('node_modules/source-map')];
    expect(files.length).toBeGreaterThan(5);
    let mentions = 0;
    for (const file of files) {
      const buf = readFileSync(file);
      if (buf.includes(MARK)) mentions++;
      expect(extractDirectives(buf), file).toEqual([]);
      expect(findInlineMaps(buf), file).toEqual([]);
    }
    expect(mentions).toBeGreaterThan(0);
  });

  it('a 100 MB single-line file with a trailing inline map is scanned whole', () => {
    // Dense with slashes (the worst case for the comment scan), on one line, no LF at all.
    const head = Buffer.alloc(6 * 17_500_000, 'a=b/c;');
    const buf = Buffer.concat([head, Buffer.from(`//# ${MARK}=${DATA_URI}`)]);
    const { facts, errors } = analyseFile({ path: 'big.js', packagePath: 'big.js', size: buf.length }, buf, { forbid: [], maxBytes: buf.length });
    expect(errors).toEqual([]);
    expect(facts.inlineMaps).toHaveLength(1);
    expect(facts.inlineMaps[0].position?.line).toBe(1);
    expect(facts.directives.map((d) => d.form)).toEqual(['line-comment']);
  });

  it('invalid UTF-8 around references and maps does not crash', () => {
    const junk = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x80, 0x0a, 0xf0, 0x90, 0x80]);
    const buf = Buffer.concat([junk, Buffer.from(`\n//# ${MARK}=`), junk, Buffer.from(`\n${DATA_URI}`), junk]);
    const { facts } = analyseFile({ path: 'x.js', packagePath: 'x.js', size: buf.length }, buf, { forbid: [], maxBytes: buf.length });
    expect(facts.inlineMaps).toHaveLength(1);
  });
});

describe('properties', () => {
  const pieces = fc.constantFrom(
    '//#', '//@', '/*#', '*/', '/*', '//', ` ${MARK}=`, `${MARK}=`, 'sourceURL=', 'debugId=', 'data:', 'application/json',
    ';base64,', ',', '%7B', '"', "'", '`', '\\n', '\n', '\r', '\u2028', ' ', 'eval(', 'Function(', '{', '}', 'a', '/', '\\', '\u00a0', BASE64.slice(0, 12),
  );
  const code = fc.array(pieces, { maxLength: 60 }).map((p) => p.join(''));

  it("a trailing comment's value is what the spec's regular expression gives, whatever white space and quotes it holds", () => {
    // ECMA-426: /^[@#]\s*NAME=(\S*?)\s*$/ over the comment (no line terminators inside a line,
    // and JavaScript's \s is exactly ECMAScript white space there); plus the announced fix: a
    // value holding a quote or a backtick is not a reference.
    const piece = fc.constantFrom(
      'a', 'b', '/', '.', 'x'.repeat(3000), '\u2013', '\u2019', '\u00e9', '\u00a9', '\u20ac', '\u3001', '\ufeff', ' ', '\t', '\u000b', '\u000c',
      '\u00a0', '\u1680', '\u2009', '\u202f', '\u205f', '\u3000', '"', "'", '`',
    );
    const spec = /^[@#]\s*(sourceMappingURL|sourceURL|debugId)=(\S*?)\s*$/;
    fc.assert(
      fc.property(fc.constantFrom('#', '@'), fc.constantFrom(' ', '', '\u00a0'), fc.constantFrom(MARK, 'sourceURL', 'debugId'), fc.array(piece, { maxLength: 12 }), (marker, space, name, pieces) => {
        const comment = `${marker}${space}${name}=${pieces.join('')}`;
        const buf = Buffer.from(`code();\n//${comment}`, 'utf8');
        const found = extractDirectives(buf).map((d) => buf.toString('utf8', d.valueStart, d.valueEnd));
        const m = spec.exec(comment);
        const value = m && !/["'`]/.test(m[2]) && m[2] !== '' ? m[2] : undefined;
        expect(found).toEqual(value === undefined ? [] : [value]);
      }),
      { numRuns: 500 },
    );
  });

  it('an inline map URI runs to the first byte outside its encoding, wherever that falls', () => {
    // A map large enough for its URI to cross the 64 KiB windows the payload is scanned in.
    const text = Array.from({ length: 150_000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join('');
    const big = { ...MAP, sources: ['a.ts'], sourcesContent: [text] };
    // base64url too (Node decodes both): its `-` and `_` belong to the payload.
    const base64 = Buffer.from(JSON.stringify(big)).toString('base64');
    const base64url = Buffer.from(JSON.stringify(big)).toString('base64url');
    const percent = encodeURIComponent(JSON.stringify(big));
    const isBase64 = (b: number) => /[A-Za-z0-9+/=_-]/.test(String.fromCharCode(b));
    const isPercentPayload = (b: number) => b > 0x20 && b !== 0x7f && !'"`\\<>'.includes(String.fromCharCode(b));
    fc.assert(
      fc.property(fc.constantFrom('base64', 'base64url', 'percent'), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 255 }), (encoding, pad, stop) => {
        const b64 = encoding !== 'percent';
        const inside = b64 ? isBase64 : isPercentPayload;
        // `'` and `)` may end a percent URI early (retried shorter ends): keep them out here.
        fc.pre(!inside(stop) && stop !== 0x27 && stop !== 0x29);
        const uri = b64 ? `data:application/json;base64,${encoding === 'base64' ? base64 : base64url}` : `data:application/json,${percent}`;
        const buf = Buffer.concat([Buffer.from(`${' '.repeat(pad)}x = `), Buffer.from(uri), Buffer.from([stop]), Buffer.from('tail')]);
        const found = findInlineMaps(buf);
        expect(found.map((m) => [m.offset, m.length, m.sniff.kind])).toEqual([[pad + 4, uri.length, 'map']]);
      }),
      { numRuns: 90 },
    );
  });

  it('random comments and URIs never throw', () => {
    fc.assert(
      fc.property(code, fc.boolean(), (text, css) => {
        const buf = Buffer.from(text, 'utf8');
        extractDirectives(buf, { css });
        findInlineMaps(buf);
      }),
      { numRuns: 500 },
    );
  });

  it('whole-file analysis of random and mutated text never throws', () => {
    const forbid = [
      { label: 'forbid[0]', literal: Buffer.from('secret'), literalText: 'secret' },
      { label: 'forbid[1]', regex: /se+cret/gi },
    ];
    fc.assert(
      fc.property(code, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('a.js', 'a.css', 'a.map', 'a.json', 'a.js.gz', 'a.br'), (text, at, byte, name) => {
        const buf = Buffer.from(`${text}\n//# ${MARK}=${DATA_URI}\nsecret`, 'utf8');
        buf[at % buf.length] = byte;
        const { facts } = analyseFile({ path: name, packagePath: name, size: buf.length }, buf, { forbid, maxBytes: 1 << 20 });
        // Never throws; and whatever it finds names a config entry, never the string.
        for (const hit of facts.forbidden) expect(['forbid[0]', 'forbid[1]']).toContain(hit.rule);
        expect(JSON.stringify(facts.forbidden)).not.toMatch(/se+cret/i);
      }),
      { numRuns: 300 },
    );
  });

  it('a valid inline map with content is found wherever it is put', () => {
    const wrappers = fc.constantFrom(
      (u: string) => `//# ${MARK}=${u}`,
      (u: string) => `/*# ${MARK}=${u} */`,
      (u: string) => `eval("x\\n//# ${MARK}=${u}\\n")`,
      (u: string) => `"${u}"`,
      (u: string) => `'${u}'`,
      (u: string) => `\`${u}\``,
    );
    fc.assert(
      fc.property(code, code, wrappers, (before, after, wrap) => {
        const text = `${before}\n${wrap(DATA_URI)}\n${after}`;
        const found = findInlineMaps(Buffer.from(text, 'utf8')).filter((m) => m.sniff.kind === 'map' && m.sniff.map.entries.some((e) => e.content));
        expect(found.length).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
