// Loaded lazily: turns a task into tool calls.
export function plan(task, registry) {
  const steps = [];
  const words = task.toLowerCase().split(/\s+/);
  words.forEach((word, index) => {
    if (word === 'read' && registry.has('read_file')) steps.push({ tool: 'read_file', args: { path: words[index + 1] ?? '.' } });
    if (word === 'test' && registry.has('run_tests')) steps.push({ tool: 'run_tests', args: {} });
    if (word === 'write' && registry.has('write_file')) steps.push({ tool: 'write_file', args: { path: words[index + 1] ?? 'out.txt', content: '' } });
  });
  return steps;
}
