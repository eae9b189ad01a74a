// The tools this server offers a model. Some sit behind feature flags.
export const TOOLS = [
  { name: 'list_tools', description: 'List the tools this server offers.', input: {} },
  { name: 'summarise_text', description: 'Summarise a text in its first sentences.', input: { text: 'string', sentences: 'number' } },
  { name: 'checksum_text', description: 'Checksum a text on a worker thread.', input: { text: 'string' } },
  { name: 'delete_file', description: 'Delete a file from the workspace.', input: { path: 'string' }, flag: 'agent_write_access' },
];

export function toolsFor(flags) {
  return TOOLS.filter((tool) => !tool.flag || flags[tool.flag]);
}

export function findTool(name, flags) {
  const tool = toolsFor(flags).find((t) => t.name === name);
  if (!tool) throw new Error(`no such tool: ${name}`);
  return tool;
}
