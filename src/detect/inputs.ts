import { createReadStream, type Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createGunzip, type Gunzip } from 'node:zlib';
import tarStream from 'tar-stream';

// What detect reads: files, directories (recursively, in name order), tarballs (`.tgz`,
// `.tar.gz`, `.tar`: streamed through zlib and tar-stream, never extracted; tarballs and gzip
// files inside them too, two levels deep), gzip files, and
// stdin (`-`). Every entry is a stream of chunks, consumed before the next entry is opened, so
// memory does not grow with input size. Whatever cannot be read becomes an error (exit 2),
// never a silent skip.

export const READ_CHUNK = 1 << 20;

export interface InputEntry {
  /** Display path: relative to cwd for files, `archive.tgz!package/x.js` inside archives. */
  path: string;
  /** JSON Lines: one record per line (locations say "record"). */
  jsonl: boolean;
  /** A chunk is valid until the next is requested (plain files reuse one buffer). */
  chunks: AsyncIterable<Buffer>;
}

export interface InputSummary {
  input: string;
  kind: 'file' | 'directory' | 'tarball' | 'gzip' | 'stdin';
  files: number;
  bytes: number;
}

export interface InputError {
  path: string;
  code: 'not-found' | 'unreadable' | 'corrupt-archive';
  message: string;
}

export interface InputContext {
  cwd: string;
  stdin: NodeJS.ReadableStream;
  errors: InputError[];
  summaries: InputSummary[];
}

const TARBALL = /\.(?:tgz|tar\.gz|tar)$/i;
const GZIP = /\.gz$/i;
const JSONL = /\.(?:jsonl|ndjson)(?:\.gz)?$/i;

function display(target: string, abs: string, cwd: string): string {
  if (isAbsolute(target)) {
    const rel = relative(cwd, abs);
    if (rel && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return target.split(sep).join('/');
}

function fsMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.code ?? e.message;
}

/** Chunks of a readable, with failures recorded against `path` (and rethrown to stop the entry). */
async function* guarded(source: AsyncIterable<Buffer | string>, path: string, ctx: InputContext, summary: InputSummary, code: InputError['code'] = 'unreadable'): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      summary.bytes += buf.length;
      yield buf;
    }
  } catch (err) {
    ctx.errors.push({ path, code, message: `${path}: ${code === 'corrupt-archive' ? 'corrupt or truncated: ' : 'cannot read: '}${fsMessage(err)}` });
  }
}

export async function* readInputs(targets: string[], ctx: InputContext): AsyncGenerator<InputEntry> {
  for (const target of targets) {
    if (target === '-') {
      const summary: InputSummary = { input: '-', kind: 'stdin', files: 1, bytes: 0 };
      ctx.summaries.push(summary);
      yield { path: '<stdin>', jsonl: false, chunks: guarded(ctx.stdin as AsyncIterable<Buffer>, '<stdin>', ctx, summary) };
      continue;
    }
    const abs = resolve(ctx.cwd, target);
    const shown = display(target, abs, ctx.cwd);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'unreadable';
      ctx.summaries.push({ input: target, kind: 'file', files: 0, bytes: 0 });
      ctx.errors.push({ path: shown, code, message: `${shown}: ${fsMessage(err)}` });
      continue;
    }
    if (st.isDirectory()) {
      const summary: InputSummary = { input: target, kind: 'directory', files: 0, bytes: 0 };
      ctx.summaries.push(summary);
      yield* readDirectory(abs, shown, ctx, summary);
    } else if (st.isFile()) {
      const summary: InputSummary = { input: target, kind: TARBALL.test(abs) ? 'tarball' : GZIP.test(abs) ? 'gzip' : 'file', files: 0, bytes: 0 };
      ctx.summaries.push(summary);
      yield* readFile(abs, shown, ctx, summary);
    } else {
      ctx.summaries.push({ input: target, kind: 'file', files: 0, bytes: 0 });
      ctx.errors.push({ path: shown, code: 'unreadable', message: `${shown}: not a regular file or directory` });
    }
  }
}

async function* readDirectory(abs: string, shown: string, ctx: InputContext, summary: InputSummary): AsyncGenerator<InputEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (err) {
    ctx.errors.push({ path: shown, code: 'unreadable', message: `${shown}: cannot list: ${fsMessage(err)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childAbs = join(abs, entry.name);
    const childShown = shown === '.' ? entry.name : `${shown}/${entry.name}`;
    if (entry.isDirectory()) {
      yield* readDirectory(childAbs, childShown, ctx, summary);
    } else if (entry.isFile()) {
      yield* readFile(childAbs, childShown, ctx, summary);
    } else if (entry.isSymbolicLink()) {
      // Follow links to files; a linked directory is not walked (it could loop), and says so.
      try {
        const st = await stat(childAbs);
        if (st.isFile()) yield* readFile(childAbs, childShown, ctx, summary);
        else ctx.errors.push({ path: childShown, code: 'unreadable', message: `${childShown}: a symbolic link to a directory; pass its target to read it` });
      } catch (err) {
        ctx.errors.push({ path: childShown, code: 'unreadable', message: `${childShown}: ${fsMessage(err)}` });
      }
    }
  }
}

async function* readFile(abs: string, shown: string, ctx: InputContext, summary: InputSummary): AsyncGenerator<InputEntry> {
  if (TARBALL.test(abs)) {
    yield* readTarball(abs, shown, ctx, summary);
    return;
  }
  summary.files++;
  if (GZIP.test(abs)) {
    const gunzip = gunzipped(createReadStream(abs, { highWaterMark: READ_CHUNK }));
    yield { path: shown, jsonl: JSONL.test(abs), chunks: guarded(gunzip, shown, ctx, summary, 'corrupt-archive') };
    return;
  }
  yield { path: shown, jsonl: JSONL.test(abs), chunks: guarded(fileChunks(abs), shown, ctx, summary) };
}

/** `source` decompressed, its errors passed on to the gunzip stream (which the reader consumes). */
function gunzipped(source: { on(event: 'error', listener: (err: Error) => void): unknown; pipe(to: Gunzip): unknown }): Gunzip {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  source.on('error', (err: Error) => gunzip.destroy(err));
  source.pipe(gunzip);
  return gunzip;
}

/** A plain file in READ_CHUNK pieces, read into one reused buffer: nothing allocated per chunk. */
async function* fileChunks(abs: string): AsyncGenerator<Buffer> {
  const handle = await open(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* readTarball(abs: string, shown: string, ctx: InputContext, summary: InputSummary): AsyncGenerator<InputEntry> {
  const size = (await stat(abs).catch(() => undefined))?.size ?? 0;
  const raw = createReadStream(abs, { highWaterMark: READ_CHUNK });
  yield* readTarStream(raw, shown, !/\.tar$/i.test(abs), size > 0, ctx, summary, 0);
}

/** Archives inside archives (a package tarball inside a dataset tarball) are opened this deep. */
const MAX_NESTING = 2;

async function* readTarStream(
  raw: NodeJS.ReadableStream,
  shown: string,
  gzip: boolean,
  nonEmpty: boolean,
  ctx: InputContext,
  summary: InputSummary,
  depth: number,
): AsyncGenerator<InputEntry> {
  const extract = tarStream.extract();
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    extract.destroy(err);
  };
  raw.on('error', fail);
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    gunzip.on('error', fail);
    raw.pipe(gunzip).pipe(extract);
  } else raw.pipe(extract);
  let entries = 0;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      entries++;
      const path = `${shown}!${header.name}`;
      if (depth < MAX_NESTING && TARBALL.test(header.name)) {
        yield* readTarStream(entry as unknown as NodeJS.ReadableStream, path, !/\.tar$/i.test(header.name), (header.size ?? 0) > 0, ctx, summary, depth + 1);
      } else if (GZIP.test(header.name)) {
        summary.files++;
        const gunzip = gunzipped(entry);
        yield { path, jsonl: JSONL.test(header.name), chunks: guarded(gunzip, path, ctx, summary, 'corrupt-archive') };
      } else {
        summary.files++;
        yield { path, jsonl: JSONL.test(header.name), chunks: guarded(entry as AsyncIterable<Buffer>, path, ctx, summary, 'corrupt-archive') };
      }
      // The consumer may have stopped early: drain what is left so the archive moves on.
      entry.resume();
    }
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure) {
    const what = (failure as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : failure.message;
    ctx.errors.push({ path: shown, code: 'corrupt-archive', message: `${shown}: not a readable tarball (${what})` });
  } else if (entries === 0 && nonEmpty) {
    // A non-empty file that tar-stream read as an archive without a single file in it.
    ctx.errors.push({ path: shown, code: 'corrupt-archive', message: `${shown}: holds no files (not a tarball?)` });
  }
}
