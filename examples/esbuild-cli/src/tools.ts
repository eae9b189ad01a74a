// The tool definitions the agent offers a model: names, descriptions and JSON Schema inputs.
// Exactly the kind of table whose source an attacker would like to read from a leaked map.

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: {
    type: 'object';
    properties: Record<string, { type: string; description: string }>;
    required: string[];
  };
}

export const TOOLS: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a text file from the workspace and return its contents.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Path relative to the workspace root.' } },
      required: ['path'],
    },
  },
  {
    name: 'list_directory',
    description: 'List the entries of a workspace directory, folders first.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Directory relative to the workspace root.' } },
      required: ['path'],
    },
  },
  {
    name: 'search_text',
    description: 'Find the lines of a file that contain a piece of text.',
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File to search.' },
        query: { type: 'string', description: 'Text to look for (case-insensitive).' },
      },
      required: ['path', 'query'],
    },
  },
];

export function findTool(name: string | undefined): ToolDefinition {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`unknown tool: ${name ?? '(none)'}; try \`agent-cli tools\``);
  return tool;
}
