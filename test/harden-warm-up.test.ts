import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { warmUpSettled, warmUpStarted } from '../src/decoys/warm-up.js';
import { createHardenSession } from '../src/harden/index.js';

// The decoy engine warms up while the bundler builds only where the adapter says the bundler
// builds off Node's thread (esbuild's Go service); elsewhere it would take the bundler's thread.

const root = mkdtempSync(join(tmpdir(), 'pillbox-warm-session-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const options = { decoys: { key: 'pbk1_' + Buffer.alloc(32, 3).toString('base64url'), channel: 'npm', release: '1.0.0' } };

it("starts only for a bundler that builds off Node's thread, and writes nothing", async () => {
  createHardenSession(options, { production: true, projectRoot: root, bundler: 'rollup' });
  createHardenSession(options, { production: true, projectRoot: root, bundler: 'webpack' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(warmUpStarted()).toBe(false);

  createHardenSession(options, { production: true, projectRoot: root, bundler: 'esbuild', buildsOffThread: true });
  for (let waited = 0; !warmUpStarted() && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(warmUpStarted()).toBe(true);
  // Every step has run (generation and placement included) before the folder is checked.
  await warmUpSettled();
  expect(readdirSync(root)).toEqual([]);
}, 20_000);
