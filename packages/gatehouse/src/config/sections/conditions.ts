/**
 * Policy conditions, validated structurally at load; the gateway compiles them. A condition is a
 * mapping with exactly one condition key and an optional audit `id`. Rules without an id get their
 * place in the route (`allow[0]`, `deny[1].all[0]`), which the audit log then names.
 */
import { MAX_CONDITION_DEPTH } from '../defaults.ts';
import { indexPath } from '../document-path.ts';
import { INVALID, booleanValue, listOf, nonEmptyString, oneOf, oneOrMany, optional, readFields, readMapping, reader, reject, required, stringValue, type Checked, type MappingValue, type Reader, type ValueAt } from '../readers.ts';
import { WEEKDAYS, type ClaimValue, type Condition, type HeaderCondition, type ClaimCondition } from '../types.ts';
import { headerName, httpMethod } from '../values/http-names.ts';
import { ipRange } from '../values/ip-range.ts';
import { claimPath, conditionId, scopeToken } from '../values/names.ts';
import { pathGlob } from '../values/path-glob.ts';
import { timeOfDay, timeZone } from '../values/time-of-day.ts';

const CONDITION_KEYS = ['authenticated', 'sub', 'role', 'roles', 'scope', 'claim', 'method', 'path', 'ip', 'header', 'time', 'all', 'any', 'not'] as const;
type ConditionKey = (typeof CONDITION_KEYS)[number];

const EXPECTED_CONDITION = `a condition: a mapping with one of ${CONDITION_KEYS.join(', ')} (and an optional id)`;

/** Ids written in one route's rules, to refuse a repeat: the audit log must name one rule. */
export type ConditionIds = Map<string, string>;

/** `allow:` or `deny:` — a list of rules, each one condition. */
export function ruleList(list: 'allow' | 'deny', ids: ConditionIds): Reader<readonly Condition[]> {
  return reader('a list of conditions, like [ { role: admin } ]', (value) => readConditions(value, list, 1, ids, 0));
}

/** The items of a rule list or of all/any; each item's default id is `${idPrefix}[index]`. */
function readConditions(value: ValueAt, idPrefix: string, depth: number, ids: ConditionIds, min: number): Checked<readonly Condition[]> {
  if (value.node.kind !== 'list') return reject(value, 'a list of conditions, like [ { role: admin } ]');
  if (value.node.items.length < min) return reject(value, `a list of at least ${min} condition`, { found: 'an empty list' });
  const conditions = value.node.items.map((node, index) =>
    readCondition({ node, path: indexPath(value.path, index), context: value.context }, `${idPrefix}[${index}]`, depth, ids),
  );
  return conditions.every((condition) => condition !== INVALID) ? (conditions as Condition[]) : INVALID;
}

function readCondition(value: ValueAt, defaultId: string, depth: number, ids: ConditionIds): Checked<Condition> {
  if (depth > MAX_CONDITION_DEPTH) return reject(value, `conditions nested at most ${MAX_CONDITION_DEPTH} deep`, { found: 'deeper nesting' });
  const mapping = readMapping(value, [...CONDITION_KEYS, 'id'], EXPECTED_CONDITION);
  if (mapping === INVALID) return INVALID;
  const present = CONDITION_KEYS.filter((key) => mapping.has(key));
  const id = readConditionId(mapping, defaultId, ids);
  if (present.length !== 1) {
    // Unknown keys are already reported with a suggestion; "no condition" would repeat them.
    if (present.length === 0 && mapping.hasUnknownKeys) return INVALID;
    return reject(value, `exactly one condition key (${CONDITION_KEYS.join(', ')})`, {
      found: present.length === 0 ? 'none' : present.join(' and '),
      ...(present.length > 1 ? { hint: 'combine conditions with all: [...] or any: [...]' } : {}),
    });
  }
  const key = present[0]!;
  const body = mapping.at(key)!;
  const condition = readConditionBody(key, body, defaultId, depth, ids);
  if (condition === INVALID || id === INVALID || mapping.hasUnknownKeys) return INVALID;
  return { id, ...condition } as Condition;
}

function readConditionId(mapping: MappingValue, defaultId: string, ids: ConditionIds): Checked<string> {
  const at = mapping.at('id');
  if (at === undefined) return defaultId;
  const id = conditionId(at);
  if (id === INVALID) return INVALID;
  const first = ids.get(id);
  if (first !== undefined) return reject(at, 'an id used once per route', { kind: 'duplicate', found: `${JSON.stringify(id)} again (first at ${first})` });
  ids.set(id, at.path);
  return id;
}

/** A condition before its id is attached: Omit applied to each member of the union. */
type ConditionBody<C extends Condition = Condition> = C extends unknown ? Omit<C, 'id'> : never;

function readConditionBody(key: ConditionKey, value: ValueAt, id: string, depth: number, ids: ConditionIds): Checked<ConditionBody> {
  switch (key) {
    case 'authenticated':
      return map(booleanValue(value), (authenticated) => ({ kind: 'authenticated', authenticated }));
    case 'sub':
      return map(subjects(value), (list) => ({ kind: 'sub', subjects: list }));
    case 'role':
    case 'roles':
      return readRoles(value);
    case 'scope':
      return map(scopes(value), (list) => ({ kind: 'scope', scopes: list }));
    case 'claim':
      return readClaim(value);
    case 'method':
      return map(methods(value), (list) => ({ kind: 'method', methods: list }));
    case 'path':
      return map(paths(value), (list) => ({ kind: 'path', paths: list }));
    case 'ip':
      return map(ipRanges(value), (ranges) => ({ kind: 'ip', ranges }));
    case 'header':
      return readHeader(value);
    case 'time':
      return readTime(value);
    case 'all':
    case 'any':
      return map(readConditions(value, `${id}.${key}`, depth + 1, ids, 1), (conditions) => ({ kind: key, conditions }));
    case 'not': {
      const condition = readCondition(value, `${id}.not`, depth + 1, ids);
      return condition === INVALID ? INVALID : { kind: 'not', condition };
    }
  }
}

function map<T, R>(checked: Checked<T>, make: (value: T) => R): Checked<R> {
  return checked === INVALID ? INVALID : make(checked);
}

const unique = (text: string) => text;
const subjects = oneOrMany(nonEmptyString, { uniqueBy: unique });
const scopes = oneOrMany(scopeToken, { uniqueBy: unique });
const methods = oneOrMany(httpMethod, { uniqueBy: unique });
const paths = oneOrMany(pathGlob, { uniqueBy: unique });
const ipRanges = oneOrMany(ipRange, { uniqueBy: (range) => `${range.address}/${range.prefixLength}` });
const roleNames = oneOrMany(nonEmptyString, { uniqueBy: unique });

/** Exactly one of `keys` is present in the mapping; reports and returns undefined otherwise. */
function exactlyOneOf<const K extends string>(mapping: MappingValue, keys: readonly K[]): K | undefined {
  const present = keys.filter((key) => mapping.has(key));
  if (present.length === 1) return present[0];
  if (present.length === 0 && mapping.hasUnknownKeys) return undefined;
  reject(mapping.value, `exactly one of ${keys.join(', ')}`, { found: present.length === 0 ? 'none' : present.join(' and ') });
  return undefined;
}

/** A plain role or list needs any one of them; `{ any: [...] }` / `{ all: [...] }` say so explicitly. */
function readRoles(value: ValueAt): Checked<ConditionBody> {
  if (value.node.kind !== 'mapping') return map(roleNames(value), (roles) => ({ kind: 'roles', match: 'any', roles }));
  const mapping = readMapping(value, ['any', 'all'], 'a role, a list of roles, { any: [...] } or { all: [...] }');
  if (mapping === INVALID) return INVALID;
  const match = exactlyOneOf(mapping, ['any', 'all'] as const);
  if (match === undefined) return INVALID;
  const roles = roleNames(mapping.at(match)!);
  return roles === INVALID || mapping.hasUnknownKeys ? INVALID : { kind: 'roles', match, roles };
}

const claimValue: Reader<ClaimValue> = reader('a string, number or boolean', (value) =>
  value.node.kind === 'scalar' && value.node.value !== null ? value.node.value : reject(value, claimValue.expected),
);

function readClaim(value: ValueAt): Checked<ConditionBody> {
  const read = readFields(value, {
    name: required(claimPath),
    equals: optional(claimValue),
    in: optional(listOf(claimValue, { min: 1 })),
    prefix: optional(nonEmptyString),
  }, 'a mapping with name and one of equals, in, prefix');
  if (read === INVALID) return INVALID;
  const op = exactlyOneOf(read.mapping, ['equals', 'in', 'prefix'] as const);
  const fields = read.complete();
  if (op === undefined || fields === undefined) return INVALID;
  const test: ClaimCondition['test'] =
    op === 'equals' ? { op, value: fields.equals! } : op === 'in' ? { op, values: fields.in! } : { op, value: fields.prefix! };
  return { kind: 'claim', claim: fields.name, test };
}

/** `present: true` only: absence is `not: { header: ... }`, one way to say it. */
const presentFlag: Reader<true> = reader('true (write not: { header: ... } for an absent header)', (value) =>
  value.node.kind === 'scalar' && value.node.value === true ? true : reject(value, presentFlag.expected),
);

function readHeader(value: ValueAt): Checked<ConditionBody> {
  const read = readFields(value, {
    name: required(headerName),
    equals: optional(stringScalar),
    prefix: optional(nonEmptyString),
    present: optional(presentFlag),
  }, 'a mapping with name and one of equals, prefix, present');
  if (read === INVALID) return INVALID;
  const op = exactlyOneOf(read.mapping, ['equals', 'prefix', 'present'] as const);
  const fields = read.complete();
  if (op === undefined || fields === undefined) return INVALID;
  const test: HeaderCondition['test'] = op === 'present' ? { op } : { op, value: (op === 'equals' ? fields.equals : fields.prefix)! };
  return { kind: 'header', name: fields.name, test };
}

const stringScalar: Reader<string> = reader('a string', (value) => stringValue(value) ?? reject(value, stringScalar.expected));

const weekday = oneOf(WEEKDAYS);

function readTime(value: ValueAt): Checked<ConditionBody> {
  const read = readFields(value, {
    days: optional(listOf(weekday, { min: 1, uniqueBy: unique }), WEEKDAYS),
    from: required(timeOfDay({ endOfDay: false })),
    to: required(timeOfDay({ endOfDay: true })),
    tz: optional(timeZone, 'UTC'),
  }, 'a mapping with from, to, and optionally days and tz');
  if (read === INVALID) return INVALID;
  const fields = read.complete();
  if (fields === undefined) return INVALID;
  if (fields.from === fields.to) {
    return reject(read.mapping.at('to')!, 'a time different from "from"', { kind: 'conflict', hint: 'an empty window would never match; leave out the time condition for all day' });
  }
  return { kind: 'time', days: fields.days, fromMinute: fields.from, toMinute: fields.to, timeZone: fields.tz };
}
