import { TOOLS } from './tools.js';

// Ranks tools for a query off the main thread.
self.onmessage = (event) => {
  const query = String(event.data).toLowerCase();
  const ranked = TOOLS.map((tool) => {
    const score = tool.description.toLowerCase().split(' ').filter((w) => query.includes(w)).length;
    return { name: tool.name, score };
  }).sort((a, b) => b.score - a.score);
  self.postMessage(ranked[0].name);
};
