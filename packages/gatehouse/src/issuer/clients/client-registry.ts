import type { ClientConfig, GrantType } from '../../config/index.ts';
import type { ClientRepository, NewClient } from '../../store/index.ts';
import { clientSecretMatches, hashClientSecret } from './client-secret.ts';

/** An OAuth client as the endpoints see it, wherever it was declared. */
export interface RegisteredClient {
  readonly id: string;
  /** Public clients have no secret: authorization code + PKCE only. */
  readonly public: boolean;
  readonly grants: readonly GrantType[];
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  /** Compared exactly, character for character (redirect-uri-match.ts; the one exception is `loopbackRedirects`). */
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
  /** `builtin`: defined by another part of this process (the gateway's client), never by configuration or the store. */
  readonly source: 'config' | 'store' | 'builtin';
  /** RFC 8252 §7.3 for the loopback entries of redirectUris: any port, http too. Only the gateway's built-in client has it. */
  readonly loopbackRedirects?: boolean;
}

interface ClientWithSecret extends RegisteredClient {
  readonly secretHash: string | null;
}

/**
 * The configuration's clients (secrets hashed once, here) merged with those added through the
 * CLI and kept in the store, and the built-in clients other parts of the process provide (the
 * gateway's). A built-in client wins over every other with its id; a configured one over a stored one.
 */
export class ClientRegistry {
  readonly #configured: ReadonlyMap<string, ClientWithSecret>;
  readonly #stored: ClientRepository;
  readonly #builtIn = new Map<string, () => RegisteredClient | undefined>();

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

  /**
   * Registers a built-in client: `current()` gives its definition as it is now (the gateway's
   * client follows the running routes, reloads included), or undefined while it has none. Its id
   * is reserved: it wins over a configured or stored client of the same id, which then never
   * answers. Built-in clients are public (no secret). Returns the function that unregisters it.
   */
  provideBuiltIn(id: string, current: () => RegisteredClient | undefined): () => void {
    this.#builtIn.set(id, current);
    return () => {
      if (this.#builtIn.get(id) === current) this.#builtIn.delete(id);
    };
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
    const builtIn = [...this.#builtIn.values()].map((current) => current()).filter((client) => client !== undefined);
    const configured = [...this.#configured.values()].filter((client) => !this.#builtIn.has(client.id));
    const stored = (await this.#stored.list()).filter((client) => !this.#configured.has(client.id) && !this.#builtIn.has(client.id)).map(fromStore);
    return [...builtIn, ...configured.map(withoutSecret), ...stored.map(withoutSecret)];
  }

  async #find(id: string): Promise<ClientWithSecret | undefined> {
    const builtIn = this.#builtIn.get(id);
    if (builtIn !== undefined) {
      const client = builtIn();
      return client === undefined ? undefined : { ...client, secretHash: null };
    }
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

type ClientFields = Pick<RegisteredClient, 'id' | 'public' | 'grants' | 'scopes' | 'audiences' | 'redirectUris' | 'roles'>;

/** What may be shown of a client (`gatehouse clients list --json`, the console): never a secret or its hash. */
export function clientView(client: ClientFields & Pick<RegisteredClient, 'source'>) {
  return {
    id: client.id,
    source: client.source,
    public: client.public,
    grants: client.grants,
    scopes: client.scopes,
    audiences: client.audiences,
    redirectUris: client.redirectUris,
    roles: client.roles,
  };
}

/** The store record of a new client (`gatehouse clients add`, the console): its secret only as a hash. */
export function newStoredClient(client: ClientFields, secret: string | undefined, now: number): NewClient {
  return {
    id: client.id,
    secretHash: secret === undefined ? null : hashClientSecret(secret),
    public: client.public,
    grants: client.grants,
    scopes: client.scopes,
    audiences: client.audiences,
    redirectUris: client.redirectUris,
    roles: client.roles,
    now,
  };
}
