import type { Command } from '../command.ts';
import { init } from './init.ts';
import { quickstart } from './quickstart.ts';
import { start } from './start.ts';
import { tokenDecode } from './token-decode.ts';
import { tokenMint } from './token-mint.ts';
import { tokenVerify } from './token-verify.ts';
import { tokenExplain } from './token-explain.ts';
import { policyTest } from './policy-test.ts';
import { auditTail } from './audit-tail.ts';
import { clientsAdd } from './clients-add.ts';
import { clientsList } from './clients-list.ts';
import { keysList } from './keys-list.ts';
import { keysRevoke } from './keys-revoke.ts';
import { keysRotate } from './keys-rotate.ts';
import { sessionsList } from './sessions-list.ts';
import { sessionsRevoke } from './sessions-revoke.ts';
import { usersAdd } from './users-add.ts';
import { usersDisable } from './users-disable.ts';
import { usersList } from './users-list.ts';
import { usersPasswd } from './users-passwd.ts';

/** Every `gatehouse` command, in the order `gatehouse --help` lists them. */
export const COMMANDS: readonly Command[] = [init, start, quickstart, tokenDecode, tokenMint, tokenVerify, tokenExplain,
  keysList, keysRotate, keysRevoke,
  usersAdd, usersList, usersDisable, usersPasswd,
  clientsAdd, clientsList,
  sessionsList, sessionsRevoke,
  policyTest,
  auditTail];
