/** Everything a command touches outside itself, injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Read by --password-stdin and friends. */
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /**
   * For long-running commands (`start`, `audit tail`): resolves with the signal's name when the
   * user asks to stop (SIGINT/SIGTERM in the real CLI). Other commands never call it, so Ctrl-C
   * keeps its default meaning for them.
   */
  waitForStop(): Promise<string>;
}

export interface CliOutput {
  write(text: string): unknown;
  /** Colours and progress only on a terminal. */
  readonly isTTY?: boolean;
}

/** Reads all of stdin as UTF-8 (for --password-stdin), without the final line break. */
export async function readStdin(io: CliIo, maxBytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) throw new RangeError(`stdin is longer than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
