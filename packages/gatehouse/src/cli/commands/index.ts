import type { Command } from '../command.ts';
import { tokenDecode } from './token-decode.ts';

/** Every `gatehouse` command, in the order `gatehouse --help` lists them. */
export const COMMANDS: readonly Command[] = [tokenDecode];
