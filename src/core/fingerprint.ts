import { createHash } from 'node:crypto';

/**
 * A finding's fingerprint: a hash of its code, its path within the package (never the archive's
 * own file name, so a baseline survives a version bump) and the identity of its evidence
 * (e.g. the map's source list, the reference URL, the config rule), but not of volatile counts.
 */
export function fingerprint(code: string, packagePath: string, identity: unknown = ''): string {
  const h = createHash('sha256');
  h.update('pillbox/v1/fingerprint\0');
  h.update(code);
  h.update('\0');
  h.update(packagePath);
  h.update('\0');
  h.update(typeof identity === 'string' ? identity : JSON.stringify(identity));
  return h.digest('hex').slice(0, 32);
}
