import type { Command } from './command.ts';

/** `gatehouse --help`: every command with its summary, grouped by first word. */
export function formatOverview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.path.join(' ').length));
  const lines = ['Gatehouse — Zero Trust access gateway', '', 'Usage: gatehouse <command> [flags]', '', 'Commands:'];
  for (const command of commands) lines.push(`  ${command.path.join(' ').padEnd(width)}  ${command.summary}`);
  lines.push('', 'Run `gatehouse <command> --help` for the flags of one command.', 'Exit codes: 0 ok, 1 refused (a check said no), 2 usage, 3 configuration, 4 store or server unavailable / not found, 5 conflict, 70 bug.', '');
  return lines.join('\n');
}

/** `gatehouse <command> --help`. */
export function formatCommandHelp(command: Command): string {
  const name = `gatehouse ${command.path.join(' ')}`;
  const lines = [`${name} — ${command.summary}`, '', `Usage: ${name} ${command.usage}`.trimEnd()];
  if (command.description !== undefined) lines.push('', command.description);
  const flags = Object.entries(command.options).map(([flag, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : '';
    return [`${short}--${flag}${value}`, spec.description + (spec.multiple === true ? ' (repeatable)' : '')] as const;
  });
  flags.push(['-h, --help', 'show this help'] as const);
  const width = Math.max(...flags.map(([left]) => left.length));
  lines.push('', 'Flags:', ...flags.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`), '');
  return lines.join('\n');
}
