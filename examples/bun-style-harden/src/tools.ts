export interface ToolParameter {
  type: 'string' | 'number' | 'boolean';
  description: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, ToolParameter>;
  required: string[];
}

export const TOOLS: ToolDefinition[] = [
  {
    name: 'bash',
    description: 'Run a shell command in the workspace and return its output.',
    parameters: { command: { type: 'string', description: 'The command line' }, timeout: { type: 'number', description: 'Seconds before it is stopped' } },
    required: ['command'],
  },
  {
    name: 'edit_file',
    description: 'Replace an exact span of text in a file with new text.',
    parameters: {
      path: { type: 'string', description: 'Workspace-relative path' },
      old_text: { type: 'string', description: 'The text to replace, exactly' },
      new_text: { type: 'string', description: 'The replacement' },
    },
    required: ['path', 'old_text', 'new_text'],
  },
  {
    name: 'grep',
    description: 'Search files for a regular expression and list matching lines.',
    parameters: { pattern: { type: 'string', description: 'A regular expression' }, glob: { type: 'string', description: 'Only files matching this glob' } },
    required: ['pattern'],
  },
];

export class ToolTable {
  private readonly tools: Map<string, ToolDefinition>;

  constructor(tools: ToolDefinition[], private readonly allowShell: boolean) {
    this.tools = new Map(tools.filter((t) => t.name !== 'bash' || allowShell).map((t) => [t.name, t]));
  }

  schema(name: string): string {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`no such tool: ${name}`);
    const params = Object.entries(tool.parameters).map(([key, p]) => {
      const optional = tool.required.includes(key) ? '' : '?';
      return `${key}${optional}: ${p.type}`;
    });
    return `${tool.name}(${params.join(', ')})`;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }
}
