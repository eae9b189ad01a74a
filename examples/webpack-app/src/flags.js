export const FLAG_DEFAULTS = { agent_write_access: false, agent_long_summaries: false };

export function resolveFlags(overrides = {}) {
  const flags = { ...FLAG_DEFAULTS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in flags)) throw new Error(`unknown flag: ${name}`);
    flags[name] = Boolean(value);
  }
  return flags;
}
