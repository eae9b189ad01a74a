import './style.css';
import { FLAGS } from './flags.js';
import { TOOLS, ToolBox } from './tools.js';

export async function render() {
  const { consoleSummary } = await import('./summary.js');
  return consoleSummary(new ToolBox(TOOLS), FLAGS);
}

if (typeof document !== 'undefined') {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => {
    document.querySelector('#app').insertAdjacentHTML('beforeend', `<p class="tool">best tool: ${event.data}</p>`);
  };
  worker.postMessage('summarise the support thread');
  render().then((text) => {
    document.querySelector('#app').insertAdjacentHTML('afterbegin', `<pre>${text}</pre>`);
  });
} else {
  // Under node (the example's test): print what the console would show.
  render().then((text) => console.log(text));
}
