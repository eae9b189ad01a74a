// Loaded on demand: webpack puts it in its own chunk (dist/chunks/).
export function summarise(text, sentences, flags) {
  const limit = flags.agent_long_summaries ? sentences * 2 : sentences;
  return text
    .split(/(?<=[.!?])\s+/)
    .slice(0, limit)
    .join(' ');
}
