import type { NewSecurityEvent, SecuritySeverity } from '../store/index.ts';

/**
 * Every security event the issuer records (named `noun.verb`), with its severity: the one
 * registry. docs/reference/errors.md ("Security events") lists each with its fields, and a test
 * fails when one is missing there. recordSecurityEvent takes only these names, each with its own
 * severity; the key lifecycle events (keys/key-record.ts KeyEventType) must all be here too.
 */
export const SECURITY_EVENTS = {
  'refresh.reused': 'critical',
  'code.replayed': 'critical',
  'session.revoked': 'info',
  'token.revoked': 'info',
  'signin.throttled': 'warning',
  'user.created': 'info',
  'user.password_changed': 'warning',
  'user.enabled': 'info',
  'user.disabled': 'warning',
  'key.created': 'info',
  'key.activated': 'info',
  'key.retiring': 'info',
  'key.retired': 'info',
  'key.revoked': 'critical',
  'anomaly.blocked': 'warning',
  'anomaly.detected': 'warning',
} as const satisfies Readonly<Record<`${string}.${string}`, SecuritySeverity>>;

export type SecurityEventName = keyof typeof SECURITY_EVENTS;

/** A security event as the issuer records it: a registered name with the severity the registry gives it. */
export type IssuerSecurityEvent = {
  readonly [Name in SecurityEventName]: Omit<NewSecurityEvent, 'at' | 'type' | 'severity'> & { readonly type: Name; readonly severity: (typeof SECURITY_EVENTS)[Name] };
}[SecurityEventName];
