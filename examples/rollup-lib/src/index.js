import { Flags } from './flags.js';
import { TOOLS, ToolRegistry } from './tools.js';

export { Flags, TOOLS, ToolRegistry };

export function createAgent(options = {}) {
  const flags = new Flags(options.flags);
  const registry = new ToolRegistry(TOOLS, flags);
  return {
    flags,
    tools: registry,
    async planTask(task) {
      const { plan } = await import('./planner.js');
      return plan(task, registry);
    },
  };
}
