// Tool definitions the agent offers to the model.
export const TOOLS = [
  {
    name: 'read_file',
    description: 'Read a UTF-8 text file from the workspace and return its contents.',
    parameters: { path: { type: 'string', description: 'Workspace-relative path' } },
    required: ['path'],
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file in the workspace with the given text.',
    parameters: {
      path: { type: 'string', description: 'Workspace-relative path' },
      content: { type: 'string', description: 'The new file contents' },
    },
    required: ['path', 'content'],
  },
  {
    name: 'run_tests',
    description: 'Run the project test command and report failing tests.',
    parameters: { filter: { type: 'string', description: 'Only tests whose name matches' } },
    required: [],
  },
];

export class ToolRegistry {
  constructor(tools, flags) {
    this.flags = flags;
    this.tools = new Map();
    tools.forEach((tool) => {
      if (tool.name !== 'write_file' || flags.isOn('agent_write_access')) this.tools.set(tool.name, tool);
    });
  }

  has(name) {
    return this.tools.has(name);
  }

  get(name) {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`unknown tool: ${name}`);
    return tool;
  }

  list() {
    return [...this.tools.values()].map((tool) => {
      const required = tool.required.length ? ` (needs ${tool.required.join(', ')})` : '';
      return `${tool.name}${required}: ${tool.description}`;
    });
  }
}
