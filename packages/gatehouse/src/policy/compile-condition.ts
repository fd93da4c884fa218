/**
 * The criteria, registered by condition kind: one file each under criteria/. Adding a condition
 * kind to config/types.ts without a criterion here fails to compile.
 */
import type { Condition } from '../config/types.ts';
import type { CompileNested, CompiledCondition } from './compiled-condition.ts';
import * as all from './criteria/all.ts';
import * as any from './criteria/any.ts';
import * as authenticated from './criteria/authenticated.ts';
import * as claim from './criteria/claim.ts';
import * as header from './criteria/header.ts';
import * as ip from './criteria/ip.ts';
import * as method from './criteria/method.ts';
import * as not from './criteria/not.ts';
import * as path from './criteria/path.ts';
import * as roles from './criteria/roles.ts';
import * as scope from './criteria/scope.ts';
import * as sub from './criteria/sub.ts';
import * as time from './criteria/time.ts';

type Criteria = {
  readonly [K in Condition['kind']]: (condition: Extract<Condition, { kind: K }>, compileNested: CompileNested) => CompiledCondition;
};

const CRITERIA: Criteria = {
  authenticated: authenticated.compile,
  sub: sub.compile,
  roles: roles.compile,
  scope: scope.compile,
  claim: claim.compile,
  method: method.compile,
  path: path.compile,
  ip: ip.compile,
  header: header.compile,
  time: time.compile,
  all: all.compile,
  any: any.compile,
  not: not.compile,
};

/** Compiles a condition and everything nested in it, once, at load. */
export function compileCondition(condition: Condition): CompiledCondition {
  const compile = CRITERIA[condition.kind] as (condition: Condition, compileNested: CompileNested) => CompiledCondition;
  return compile(condition, compileCondition);
}
