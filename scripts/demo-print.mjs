// Printing for `npm run demo`: headed sections, aligned tables, and a redactor so that the
// demo key can never reach the terminal, even inside a failing build's log.
import pc from 'picocolors';

export { pc };

export function section(title) {
  console.log(`\n${pc.bold(pc.cyan(`── ${title} `))}${pc.cyan('─'.repeat(Math.max(3, 76 - title.length)))}\n`);
}

export function say(text = '') {
  console.log(text === '' ? '' : `  ${text}`);
}

/** The terminal width of text, colour codes excluded. */
const visible = (text) => text.replace(/\x1b\[[0-9;]*m/g, '').length;

/**
 * Print rows as aligned columns under a dim header. Cells may be coloured; the last column is
 * never padded (so long notes do not push anything).
 */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => visible(String(row[i] ?? '')))));
  const line = (row, paint = (s) => s) =>
    '  ' +
    row
      .map((cell, i) => {
        const text = String(cell ?? '');
        return i === row.length - 1 ? text : text + ' '.repeat(widths[i] - visible(text));
      })
      .map((cell) => paint(cell))
      .join('  ')
      .trimEnd();
  console.log(line(header, pc.dim));
  for (const row of rows) console.log(line(row));
}

/** Indent a block of another command's output so it reads as quoted. */
export function quote(text) {
  const body = text.replace(/\s+$/, '');
  console.log(body.split('\n').map((l) => (l ? `    ${l}` : '')).join('\n'));
}

export function kB(bytes) {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Replace the key (whole, or its base64url body) anywhere in text. */
export function redactor(key) {
  const body = key.slice(key.indexOf('_') + 1);
  return (text) => String(text).split(key).join('[demo key]').split(body).join('[demo key]');
}

/** A transient status line on a terminal; nothing when output is piped (tests, CI logs). */
export function status(text) {
  if (!process.stdout.isTTY) return;
  process.stdout.write(`\r\x1b[K  ${pc.dim(text)}`);
}

export function clearStatus() {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
}
