import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

// Validators shared by the format and CLI tests: our own report schema (draft 2020-12) and the
// official SARIF 2.1.0 schema (draft-04) as shipped in @microsoft/jest-sarif.

const require = createRequire(import.meta.url);
// CommonJS modules whose default export NodeNext types as a namespace: load them as CommonJS.
const AjvDraft04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

let reportValidator: ValidateFunction | undefined;
export function validateReport(value: unknown): string[] {
  reportValidator ??= new Ajv2020({ strict: true, allErrors: true }).compile(require('../schema/report.schema.json'));
  const validate = reportValidator;
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

let sarifValidator: ValidateFunction | undefined;
function compileSarifSchema(): ValidateFunction {
  // The official schema has a pattern that is invalid under the `u` flag ("language"), and
  // predates strict mode: relax exactly those two things, keep formats checked.
  const ajv = new AjvDraft04({ strict: false, unicodeRegExp: false, allErrors: true, logger: false });
  addFormats(ajv);
  return ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
}
export function validateSarif(value: unknown): string[] {
  sarifValidator ??= compileSarifSchema();
  const validate = sarifValidator;
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Every substring of `secret` of at least `min` characters (what "not even in part" means). */
export function fragments(secret: string, min = 4): string[] {
  const out = new Set<string>();
  for (let len = min; len <= secret.length; len++) {
    for (let i = 0; i + len <= secret.length; i++) out.add(secret.slice(i, i + len));
  }
  return [...out];
}

export function leakedFragments(output: string, secret: string, min = 4): string[] {
  return fragments(secret, min).filter((f) => output.includes(f));
}
