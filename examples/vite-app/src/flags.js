export const FLAGS = { console_beta_tickets: false, console_streaming: true, console_thread_summaries: true };

export function flagLabel(name, on) {
  switch (name) {
    case 'console_beta_tickets':
      return on ? 'tickets (beta)' : 'tickets hidden';
    case 'console_streaming':
      return on ? 'streaming replies' : 'whole replies';
    default:
      return on ? `${name} on` : `${name} off`;
  }
}
