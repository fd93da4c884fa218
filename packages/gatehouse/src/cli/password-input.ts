import { CliError } from './cli-error.ts';
import { readStdin, type CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';

/** stdin when it is a terminal (a tty.ReadStream; tests pass a stream that says it is one). */
interface Terminal extends NodeJS.ReadableStream {
  setRawMode(mode: boolean): unknown;
}

export const PASSWORD_STDIN_OPTION = {
  'password-stdin': { type: 'boolean', description: 'read the password from stdin (all of it, one trailing newline dropped) instead of asking on the terminal' },
} as const;

/**
 * The new password for `users add` and `users passwd`: all of stdin with --password-stdin, else
 * typed twice on the terminal without echo. Never from a flag: argv is visible to every user of
 * the machine (ps) and lands in shell history. Without a terminal and without --password-stdin it
 * is a usage error (exit 2) rather than a hang on a pipe nobody writes to.
 */
export async function readNewPassword(io: CliIo, fromStdin: boolean, command: string): Promise<string> {
  if (fromStdin) return readStdin(io);
  const input = terminalInput(io, command);
  const first = await promptHidden(io, input, 'New password: ');
  const second = await promptHidden(io, input, 'Same password again: ');
  if (first !== second) throw new CliError(EXIT.usage, 'the two passwords differ; nothing was changed', `run \`gatehouse ${command}\` again`);
  return first;
}

/**
 * Throws the usage error readNewPassword would, without reading anything: commands call it before
 * opening the store, so a missing --password-stdin is reported first and costs nothing.
 */
export function checkPasswordSource(io: CliIo, fromStdin: boolean, command: string): void {
  if (!fromStdin) terminalInput(io, command);
}

function terminalInput(io: CliIo, command: string): Terminal {
  const input = io.stdin as Partial<Terminal> & { readonly isTTY?: boolean };
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    throw new CliError(EXIT.usage, 'no password: stdin is not a terminal to ask on', `pipe it in with --password-stdin, e.g. \`printf '%s' "$PASSWORD" | gatehouse ${command} --password-stdin\``);
  }
  return input as Terminal;
}

/** Reads one line in raw mode, echoing nothing; Backspace edits, Ctrl-C and Ctrl-D on an empty line cancel. */
function promptHidden(io: CliIo, input: Terminal, prompt: string): Promise<string> {
  // Echo off before the prompt shows: a key typed at once must not appear.
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (): void => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string | Buffer): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && typed.length === 0)) {
          finish();
          reject(new CliError(EXIT.usage, 'cancelled; nothing was changed'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed.push(char);
      }
    };
    input.on('data', onData);
  });
}
