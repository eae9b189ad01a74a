#!/usr/bin/env node
import { createAgent } from './index.js';

const [command = 'help', ...args] = process.argv.slice(2);
const overrides = Object.fromEntries(args.filter((a) => a.startsWith('--flag=')).map((a) => a.slice(7).split('=')));
const agent = createAgent({ flags: overrides });

if (command === 'tools') console.log(agent.tools.list().join('\n'));
else if (command === 'flags') console.log(agent.flags.report().join('\n'));
else if (command === 'plan') {
  const task = args.filter((a) => !a.startsWith('--')).join(' ');
  console.log(JSON.stringify(await agent.planTask(task)));
} else console.log('usage: agent-kit tools|flags|plan <task> [--flag=name=true]');
