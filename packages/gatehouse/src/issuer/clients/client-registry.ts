import type { ClientConfig, GrantType } from '../../config/index.ts';
import type { ClientRepository } from '../../store/index.ts';
import { clientSecretMatches, hashClientSecret } from './client-secret.ts';

/** An OAuth client as the endpoints see it, wherever it was declared. */
export interface RegisteredClient {
  readonly id: string;
  /** Public clients have no secret: authorization code + PKCE only. */
  readonly public: boolean;
  readonly grants: readonly GrantType[];
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  /** Compared exactly, character for character. */
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
  readonly source: 'config' | 'store';
}

interface ClientWithSecret extends RegisteredClient {
  readonly secretHash: string | null;
}

/**
 * The configuration's clients (secrets hashed once, here) merged with those added through the
 * CLI and kept in the store. A configured client wins over a stored one with the same id.
 */
export class ClientRegistry {
  readonly #configured: ReadonlyMap<string, ClientWithSecret>;
  readonly #stored: ClientRepository;

  constructor(configured: readonly ClientConfig[], stored: ClientRepository) {
    this.#configured = new Map(configured.map((client) => [client.id, {
      id: client.id,
      public: client.public,
      grants: client.grants,
      scopes: client.scopes,
      audiences: client.audiences,
      redirectUris: client.redirectUris,
      roles: client.roles,
      source: 'config' as const,
      secretHash: client.public ? null : hashClientSecret(client.secret.reveal()),
    }]));
    this.#stored = stored;
  }

  async find(id: string): Promise<RegisteredClient | undefined> {
    const client = await this.#find(id);
    return client === undefined ? undefined : withoutSecret(client);
  }

  /**
   * The confidential client `id` if `secret` is its secret. Unknown clients cost the same hash
   * and comparison as known ones, so timing does not reveal which ids exist.
   */
  async authenticate(id: string, secret: string): Promise<RegisteredClient | undefined> {
    const client = await this.#find(id);
    const hash = client?.secretHash ?? hashClientSecret(`no such client ${id}`);
    const matches = clientSecretMatches(hash, secret);
    return client !== undefined && client.secretHash !== null && matches ? withoutSecret(client) : undefined;
  }

  async list(): Promise<RegisteredClient[]> {
    const stored = (await this.#stored.list()).filter((client) => !this.#configured.has(client.id)).map(fromStore);
    return [...[...this.#configured.values()].map(withoutSecret), ...stored.map(withoutSecret)];
  }

  async #find(id: string): Promise<ClientWithSecret | undefined> {
    const configured = this.#configured.get(id);
    if (configured !== undefined) return configured;
    const stored = await this.#stored.find(id);
    return stored === undefined ? undefined : fromStore(stored);
  }
}

function fromStore(client: Awaited<ReturnType<ClientRepository['find']>> & object): ClientWithSecret {
  return {
    id: client.id,
    public: client.public,
    grants: client.grants as GrantType[],
    scopes: client.scopes,
    audiences: client.audiences,
    redirectUris: client.redirectUris,
    roles: client.roles,
    source: 'store',
    secretHash: client.secretHash,
  };
}

function withoutSecret({ secretHash: _secret, ...client }: ClientWithSecret): RegisteredClient {
  return client;
}
