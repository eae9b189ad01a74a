// CPU time of this process's child processes (esbuild's service, say), read from Linux /proc;
// 0 where there is no /proc. Shared by the benches that report CPU time beside wall time.

import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ

/** The command name and CPU milliseconds (user + system) in a /proc/.../stat line, and its parent pid. */
export function parseStat(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ppid: Number(fields[1]),
    ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
  };
}

/** CPU milliseconds (user + system) of the live children of this process, those named `name` only if given. */
export function childrenCpuMs(name) {
  let ms = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // it ended meanwhile
      }
      const parsed = parseStat(stat);
      if (name && parsed.name !== name) continue;
      if (parsed.ppid === process.pid) ms += parsed.ms;
    }
  } catch {
    // no /proc: this process only
  }
  return ms;
}
