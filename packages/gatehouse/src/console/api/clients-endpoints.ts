import type { FastifyInstance } from 'fastify';
import { readClientDefinition } from '../../cli/client-definition.ts';
import type { ConfigIssue } from '../../config/issues.ts';
import { ServerError } from '../../errors.ts';
import { clientView, newStoredClient } from '../../issuer/clients/client-registry.ts';
import { generateClientSecret } from '../../issuer/clients/client-secret.ts';
import type { ConsoleServices } from '../console-services.ts';
import { invalid, jsonBody, optionalBoolean, optionalStringList, requiredString } from './request-fields.ts';

/**
 * OAuth clients, as `gatehouse clients list|add` shows and adds them: the list merges the
 * configuration's, the store's and the built-in clients (never a secret or its hash); a new
 * client obeys exactly the rules of a client in gatehouse.yaml (the configuration's own reader)
 * and is kept in the store. A confidential client gets a generated secret of 256 random bits,
 * in this one answer only: the store keeps its hash.
 */
export function registerClientEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  const { clients, store } = services.issuer;

  api.get('/clients', async () => (await clients.list()).map(clientView));

  api.post('/clients', async (request, reply) => {
    const body = jsonBody(request);
    const isPublic = optionalBoolean(body, 'public') ?? false;
    const secret = isPublic ? undefined : generateClientSecret();
    const read = readClientDefinition({
      id: requiredString(body, 'id', 256),
      public: isPublic,
      grants: optionalStringList(body, 'grants'),
      scopes: optionalStringList(body, 'scopes'),
      audiences: optionalStringList(body, 'audiences'),
      roles: optionalStringList(body, 'roles'),
      redirectUris: optionalStringList(body, 'redirectUris') ?? [],
      secret,
    });
    if (isIssueList(read)) throw invalid(`invalid client: ${read.map(describeIssue).join('; ')}`);
    const client = read;
    const taken = (where: string): ServerError => new ServerError('store_conflict', `a client with id ${JSON.stringify(client.id)} exists already ${where}`);
    const existing = await clients.find(client.id);
    if (existing !== undefined) throw taken(existing.source === 'store' ? 'in the store' : existing.source === 'config' ? 'in the configuration file' : 'as a built-in client');
    try {
      await store.clients.create(newStoredClient(client, secret, services.clock()));
    } catch (error) {
      if (error instanceof ServerError && error.code === 'store_conflict') throw taken('in the store');
      throw error;
    }
    const created = clientView({ ...client, source: 'store' });
    return reply.code(201).send(secret === undefined ? { client: created } : { client: created, secret });
  });
}

function isIssueList(read: ReturnType<typeof readClientDefinition>): read is readonly ConfigIssue[] {
  return Array.isArray(read);
}

/** `grants: expected …, found …` or `missing redirectUris: expected …`, in the configuration's key names. */
function describeIssue(issue: ConfigIssue): string {
  if (issue.kind === 'missing_key') return `missing ${issue.path}: expected ${issue.expected}`;
  return `${issue.path === '' ? 'the client' : issue.path}: ${issue.message}`;
}
