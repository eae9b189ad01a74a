// A tool server an agent talks to: one JSON request in (argv), one JSON reply out.
//   node dist/server.js '{"type":"call_tool","name":"checksum_text","input":{"text":"hi"}}'
import { resolveFlags } from './flags.js';
import { checksumInWorker } from './pool.js';
import { findTool, toolsFor } from './tools.js';

export async function handle(request) {
  const flags = resolveFlags(request.flags);
  if (request.type === 'list_tools') return { tools: toolsFor(flags).map((t) => t.name) };
  if (request.type !== 'call_tool') throw new Error(`unknown request type: ${request.type}`);
  const tool = findTool(request.name, flags);
  switch (tool.name) {
    case 'list_tools':
      return { result: toolsFor(flags).map((t) => `${t.name}: ${t.description}`) };
    case 'summarise_text': {
      const { summarise } = await import('./summarise.js');
      return { result: summarise(request.input.text, request.input.sentences ?? 1, flags) };
    }
    case 'checksum_text':
      return { result: await checksumInWorker(request.input.text) };
    default:
      return { error: `${tool.name} is not available in this build` };
  }
}

handle(JSON.parse(process.argv[2] ?? '{"type":"list_tools"}')).then(
  (reply) => console.log(JSON.stringify(reply)),
  (error) => {
    console.log(JSON.stringify({ error: error.message }));
    process.exitCode = 1;
  },
);
