// Internal feature flags, decided at build time in the real product; a leaked map would list them.
export type FlagName = 'coder_shell_access' | 'coder_background_tasks' | 'coder_plan_mode';

const DEFAULTS: Record<FlagName, boolean> = {
  coder_shell_access: true,
  coder_background_tasks: false,
  coder_plan_mode: true,
};

export function loadFlags(env: Record<string, string | undefined>): Record<FlagName, boolean> {
  const flags = { ...DEFAULTS };
  (Object.keys(flags) as FlagName[]).forEach((name) => {
    const value = env[name.toUpperCase()];
    if (value !== undefined) flags[name] = value === '1';
  });
  return flags;
}

export function explain(name: FlagName): string {
  switch (name) {
    case 'coder_shell_access':
      return 'the agent may run shell commands';
    case 'coder_background_tasks':
      return 'long commands keep running in the background';
    case 'coder_plan_mode':
      return 'the agent proposes a plan before editing';
  }
}
