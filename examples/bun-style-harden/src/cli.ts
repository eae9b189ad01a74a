import { explain, loadFlags, type FlagName } from './flags';
import { TOOLS, ToolTable } from './tools';

const flags = loadFlags(process.env);
const table = new ToolTable(TOOLS, flags.coder_shell_access);
const [command = 'help'] = process.argv.slice(2);

switch (command) {
  case 'tools':
    console.log(table.names().map((name) => table.schema(name)).join('\n'));
    break;
  case 'flags':
    console.log(
      (Object.keys(flags) as FlagName[])
        .map((name) => `${name}: ${flags[name] ? 'on' : 'off'} (${explain(name)})`)
        .join('\n'),
    );
    break;
  default:
    console.log('usage: coder tools|flags');
}
