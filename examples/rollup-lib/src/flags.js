// Feature flags. Internal ones are what a source leak would expose.
const DEFAULTS = {
  agent_write_access: false,
  agent_parallel_tools: true,
  agent_auto_compact: true,
};

export class Flags {
  constructor(overrides = {}) {
    this.values = { ...DEFAULTS };
    Object.entries(overrides).forEach(([name, value]) => {
      if (name in DEFAULTS) this.values[name] = value === true || value === 'true';
    });
  }

  isOn(name) {
    return this.values[name] === true;
  }

  describe(name) {
    switch (name) {
      case 'agent_write_access':
        return 'lets the agent change files';
      case 'agent_parallel_tools':
        return 'runs independent tool calls at once';
      case 'agent_auto_compact':
        return 'summarises old turns when the context fills up';
      default:
        return 'unknown flag';
    }
  }

  report() {
    return Object.keys(this.values).map((name) => {
      return `${name}=${this.values[name]} — ${this.describe(name)}`;
    });
  }
}
