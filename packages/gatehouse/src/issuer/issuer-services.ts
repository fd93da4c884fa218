import type { GatehouseConfig } from '../config/index.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { RevocationState } from '../revocation/revocation-state.ts';
import type { Revoker } from '../revocation/revoker.ts';
import type { Store } from '../store/index.ts';
import type { AccessTokenMinter } from '../tokens/mint-access-token.ts';
import type { ClientRegistry } from './clients/client-registry.ts';
import type { IssuerUrls } from './issuer-endpoints.ts';
import type { IssuerSecurityEvent } from './security-events.ts';

/**
 * Everything the issuer's endpoints use, injected (pure handlers, I/O at the edges). Built once by
 * `openIssuer` from the configuration; tests build it with fakes where they need to.
 */
export interface IssuerServices {
  readonly config: GatehouseConfig;
  readonly urls: IssuerUrls;
  readonly store: Store;
  readonly keys: KeyManager;
  readonly clients: ClientRegistry;
  /**
   * 32 bytes for the issuer's own MACs (sign-in transactions, CSRF tokens, the session cookie),
   * derived from the master key with HKDF so it is stable across restarts and replicas.
   */
  readonly cookieKey: Buffer;
  readonly mintAccessToken: AccessTokenMinter;
  readonly revocations: RevocationState;
  readonly revoker: Revoker;
  /** Persists a security event (refresh.reused, signin.throttled, ...: security-events.ts) and logs it. */
  readonly recordSecurityEvent: (event: IssuerSecurityEvent) => Promise<void>;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}
