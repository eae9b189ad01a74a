// What `npm pack --dry-run --json` prints, read once for every caller: the scanner's "this
// package as it would be published", the release gate, init and the registry audits.

export interface NpmPackJson {
  name: string;
  version: string;
  files: Array<{ path: string; size: number }>;
}

/** npm's `pack --json`: `[{ name, version, files: [{ path, size }] }]` (npm 7 to 11); undefined for anything else. */
export function parsePackJson(stdout: string): NpmPackJson | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const first = (Array.isArray(parsed) ? parsed[0] : undefined) as Record<string, unknown> | undefined;
  const files = first?.files;
  if (!first || !Array.isArray(files) || !files.every((f) => typeof f?.path === 'string')) return undefined;
  return {
    name: String(first.name ?? ''),
    version: String(first.version ?? ''),
    files: files.map((f: { path: string; size?: unknown }) => ({ path: f.path, size: typeof f.size === 'number' ? f.size : 0 })),
  };
}
