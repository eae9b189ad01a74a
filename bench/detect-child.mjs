// One detect run in a fresh process, so its peak memory is its own. Used by detect.bench.mjs:
//   PILLBOX_KEY=... node bench/detect-child.mjs <bundled-src.mjs> <manifestDir> <input>
import { pathToFileURL } from 'node:url';

const [lib, manifestDir, input] = process.argv.slice(2);
const { detect, parseKey } = await import(pathToFileURL(lib).href);
const key = parseKey(process.env.PILLBOX_KEY ?? '');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const report = await detect({ inputs: [input], key, manifestDir, cwd: process.cwd() });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    bytes: report.search.bytes,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    found: report.scopes.map((s) => `${s.tier}${s.channel ? ':' + s.channel : ''}${s.release ? '/' + s.release : ''} ${s.found}/${s.shipped}${s.significant ? ' significant' : ''}`),
    errors: report.errors.length,
  }),
);
