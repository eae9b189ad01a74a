export const TOOLS = [
  { name: 'search_docs', description: 'Search the product documentation and return the best passages.', parameters: { query: { type: 'string' } } },
  { name: 'open_ticket', description: 'Open a support ticket with a title and a description.', parameters: { title: { type: 'string' }, body: { type: 'string' } } },
  { name: 'summarize_thread', description: 'Summarise a support thread for a hand-over.', parameters: { threadId: { type: 'string' } } },
];

export class ToolBox {
  constructor(tools) {
    this.byName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  describe(name) {
    const tool = this.byName.get(name);
    if (!tool) return `no tool named ${name}`;
    return `${tool.name}(${Object.keys(tool.parameters).join(', ')})`;
  }

  names() {
    return [...this.byName.keys()].filter((name) => {
      return !name.startsWith('_');
    });
  }
}
