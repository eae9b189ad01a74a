// Feature flags with their defaults, switched by AGENT_FLAG_<NAME>=1|0 in the environment.
// (Rollout plan for these lives in the kestrel-internal tracker.) Comments like that one never
// reach the minified bundle, but they do reach a source map's sourcesContent: build.mjs forbids
// the codename, so a build that would ship it in a map fails.

export const FLAG_DEFAULTS = {
  agent_streaming_replies: true,
  agent_parallel_tools: false,
  agent_folders_first: true,
} as const;

export type FlagName = keyof typeof FLAG_DEFAULTS;
export type Flags = Record<FlagName, boolean>;

export function loadFlags(env: Record<string, string | undefined>): Flags {
  const flags: Flags = { ...FLAG_DEFAULTS };
  for (const name of Object.keys(flags) as FlagName[]) {
    const value = env[`AGENT_FLAG_${name.toUpperCase()}`];
    if (value !== undefined) flags[name] = value === '1' || value === 'true';
  }
  return flags;
}

export function describeFlags(flags: Flags): string {
  return (Object.keys(flags) as FlagName[]).map((name) => `${name}=${flags[name] ? 'on' : 'off'}`).join('\n');
}
