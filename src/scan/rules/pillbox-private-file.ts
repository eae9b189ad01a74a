import type { PrivateKind } from '../facts.js';
import type { Rule } from './types.js';

const WHAT: Record<PrivateKind, string> = {
  'pillbox-dir': 'a file from .pillbox/ (decoy manifests, hidden maps)',
  manifest: 'a pillbox decoy manifest (its "pillbox": "manifest/v1" envelope)',
  key: 'a pillbox decoy key (pbk1_...); rotate it',
  'config-with-forbid': 'a pillbox config holding forbid (it lists the strings to keep secret)',
};

/** Anything from .pillbox/, a manifest envelope, a key, or a config holding forbid. */
export const pillboxPrivateFile: Rule = {
  code: 'pillbox-private-file',
  run({ pkg, emit }) {
    for (const file of pkg.files) {
      if (file.private.length === 0) continue;
      emit({
        code: 'pillbox-private-file',
        file,
        message: `Shipped ${file.private.map((k) => WHAT[k]).join('; ')}.`,
        evidence: { form: file.private.join('+') },
        identity: file.private,
      });
    }
  },
};
