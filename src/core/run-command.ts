import { spawn } from 'node:child_process';

// Runs a package-manager command and collects its output. pillbox shells out to the real
// packers (npm, pnpm, Yarn, Bun) rather than re-implementing their file rules; the scanner's
// packed-package reader and the release gate share this one runner.

export interface RunResult {
  /** Exit code, or a description of the signal that ended it. */
  code: number | string;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Merged over process.env, so PATH and HOME survive a small test env. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

/** Rejects only when the command cannot be started (ENOENT...); a non-zero exit resolves. */
export function runCommand(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // npm, pnpm and yarn are .cmd shims on Windows, which only a shell can start.
    // The CLI's env (tests pass a small one) over the process's, so PATH and HOME survive.
    const env = { ...process.env, ...opts.env };
    const child = spawn(command, args, { cwd: opts.cwd, env, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? `killed by ${signal ?? 'a signal'}`,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** The few lines of a failed command worth putting in a report (npm's own error lines first). */
export function failureSummary(result: RunResult): string {
  try {
    const e = (JSON.parse(result.stdout) as { error?: { summary?: string; code?: string } }).error;
    if (e?.summary) return clip(e.code ? `${e.code}: ${e.summary}` : e.summary);
  } catch {
    // Not JSON: fall back to stderr.
  }
  const lines = result.stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const errorLines = lines.filter((l) => /^(npm (error|ERR!)|ERR_PNPM|error:?\s)/i.test(l));
  return clip((errorLines.length > 0 ? errorLines : lines.slice(-5)).join(' | ') || `exit ${result.code}, no output`);
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
