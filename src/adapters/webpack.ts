// Placeholder until the plugins issue lands.
export default function pillbox(_options: Record<string, unknown> = {}): never {
  throw new Error('pillbox/webpack is not implemented yet');
}
