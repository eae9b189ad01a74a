// Loaded lazily when the console opens.
export function consoleSummary(toolbox, flags) {
  const tools = toolbox.names().map((name) => toolbox.describe(name));
  const labels = Object.entries(flags).map(([name, on]) => {
    return flagLabel(name, on);
  });
  return [`${tools.length} tools: ${tools.join(', ')}`, `flags: ${labels.join('; ')}`].join('\n');
}

import { flagLabel } from './flags.js';
