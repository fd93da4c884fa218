export { openStore, type OpenStoreOptions, type Store, type StoreRepositories } from './open-store.ts';
export { isStoreUnavailable } from './store-unavailable.ts';
export { parseStoreUrl, redactStoreUrl, type StoreDialect, type StoreLocation } from './store-url.ts';
export { migrateStore, type MigrateStoreOptions } from './migrate.ts';
export { storeMigrationProvider, storeMigrations } from './migrations/provider.ts';
export type { StoreMigration } from './migrations/store-migration.ts';
export type { Database } from './schema.ts';
export { normalizeUsername, UserRepository, type NewUser, type User } from './repositories/users.ts';
export { ClientRepository, type NewClient, type StoredClient } from './repositories/clients.ts';
export {
  SigningKeyRepository,
  type NewSigningKey,
  type SigningKeyChange,
  type SigningKeyRecord,
  type SigningKeyState,
} from './repositories/signing-keys.ts';
export {
  AuthorizationCodeRepository,
  type AuthorizationCodeRecord,
  type CodeConsumption,
  type NewAuthorizationCode,
} from './repositories/authorization-codes.ts';
export {
  RefreshTokenRepository,
  type ListFamiliesFilter,
  type NewRefreshFamily,
  type RefreshFamily,
  type RefreshRotation,
  type RefreshSession,
  type RefreshTokenState,
  type RotateRefreshToken,
} from './repositories/refresh-tokens.ts';
export { RevocationRepository, type NewRevocation, type Revocation, type RevocationBatch, type RevocationKind } from './repositories/revocations.ts';
export {
  SecurityEventRepository,
  type NewSecurityEvent,
  type SecurityEvent,
  type SecurityEventFilter,
  type SecurityEventType,
  type SecuritySeverity,
} from './repositories/security-events.ts';
export { LoginAttemptRepository, type LoginFailure } from './repositories/login-attempts.ts';
