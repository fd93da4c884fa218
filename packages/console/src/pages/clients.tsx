/** OAuth clients: those from the configuration and those created here; a new secret is shown once. */
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { ClientRow, CreatedClient, NewClient } from '../api/types.ts';
import { Badge, Chips, EmptyRow, ErrorBar, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { splitList } from '../format.ts';

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

const EMPTY_FORM = { id: '', public: false, grants: ['client_credentials'] as string[], scopes: '', audiences: '', redirectUris: '', roles: '' };

export function ClientsPage() {
  const [clients, setClients] = useState<readonly ClientRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [created, setCreated] = useState<CreatedClient | null>(null);
  const [copied, setCopied] = useState(false);
  const action = useAction();

  const load = async (): Promise<void> => {
    try {
      setClients(await apiGet<ClientRow[]>('clients'));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(), []);

  const toggleGrant = (grant: string, on: boolean): void => {
    setForm({ ...form, grants: on ? [...form.grants, grant] : form.grants.filter((g) => g !== grant) });
  };

  const create = (event: Event): void => {
    event.preventDefault();
    const body: NewClient = {
      id: form.id.trim(),
      public: form.public,
      grants: GRANTS.filter((grant) => form.grants.includes(grant)),
      scopes: splitList(form.scopes),
      audiences: splitList(form.audiences),
      redirectUris: splitList(form.redirectUris),
      roles: splitList(form.roles),
    };
    setCreated(null);
    setCopied(false);
    void action.run(async () => {
      const answer = await apiPost<CreatedClient>('clients', body);
      setCreated(answer);
      setForm(EMPTY_FORM);
      await load();
      return answer.secret === undefined ? `Client ${answer.client.id} created (public: no secret).` : undefined;
    });
  };

  const copySecret = (secret: string): void => {
    navigator.clipboard?.writeText(secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div class="page" data-testid="page-clients">
      <PageHeader title="Clients">Applications and services that get tokens from the issuer. Clients from the configuration file are changed there; clients created here live in the store.</PageHeader>
      <ErrorBar error={error} />
      {created?.secret === undefined ? null : (
        <div class="secret-once" role="alert" data-testid="client-secret-panel">
          <h2>Secret of {created.client.id}: shown this once</h2>
          <p>Copy it now into the service's secret store. The server keeps only a hash of it: it cannot be shown again, only replaced by creating a new client.</p>
          <div class="secret-line">
            <code class="secret" data-testid="client-secret">
              {created.secret}
            </code>
            <button class="button" type="button" onClick={() => copySecret(created.secret!)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button class="button button-primary" type="button" data-testid="client-secret-dismiss" onClick={() => setCreated(null)}>
              I have saved it
            </button>
          </div>
        </div>
      )}
      <MessageBar message={action.message} />
      <Panel title="Create a client">
        <form class="stack" onSubmit={create} data-testid="client-add-form">
          <div class="row">
            <label class="field">
              <span>Client id</span>
              <input data-testid="client-add-id" value={form.id} required autocomplete="off" placeholder="billing-svc" onInput={(event) => setForm({ ...form, id: event.currentTarget.value })} />
            </label>
            <label class="toggle field-end">
              <input type="checkbox" data-testid="client-add-public" checked={form.public} onChange={(event) => setForm({ ...form, public: event.currentTarget.checked })} />
              Public (a browser or native app: no secret, PKCE)
            </label>
          </div>
          <fieldset class="grants">
            <legend>Grants</legend>
            {GRANTS.map((grant) => (
              <label class="toggle" key={grant}>
                <input type="checkbox" data-testid={`client-add-grant-${grant}`} checked={form.grants.includes(grant)} onChange={(event) => toggleGrant(grant, event.currentTarget.checked)} />
                <code>{grant}</code>
              </label>
            ))}
          </fieldset>
          <div class="row">
            <label class="field">
              <span>Scopes</span>
              <input data-testid="client-add-scopes" value={form.scopes} placeholder="orders:read orders:write" onInput={(event) => setForm({ ...form, scopes: event.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Audiences</span>
              <input data-testid="client-add-audiences" value={form.audiences} placeholder="orders" onInput={(event) => setForm({ ...form, audiences: event.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Roles</span>
              <input data-testid="client-add-roles" value={form.roles} placeholder="billing" onInput={(event) => setForm({ ...form, roles: event.currentTarget.value })} />
            </label>
          </div>
          <label class="field">
            <span>Redirect URIs (authorization code)</span>
            <input data-testid="client-add-redirects" value={form.redirectUris} placeholder="https://app.example.com/callback" onInput={(event) => setForm({ ...form, redirectUris: event.currentTarget.value })} />
          </label>
          <div>
            <button class="button button-primary" type="submit" data-testid="client-add-submit" disabled={action.busy || form.grants.length === 0}>
              Create client
            </button>
          </div>
        </form>
      </Panel>
      <Panel>
        <div class="table-wrap">
          <table class="table" data-testid="clients-table">
            <thead>
              <tr>
                <th>Client</th>
                <th>Source</th>
                <th>Type</th>
                <th>Grants</th>
                <th>Scopes</th>
                <th>Audiences</th>
                <th>Roles</th>
                <th>Redirect URIs</th>
              </tr>
            </thead>
            <tbody>
              {clients === null ? <EmptyRow columns={8}>Loading…</EmptyRow> : clients.length === 0 ? <EmptyRow columns={8}>No clients.</EmptyRow> : null}
              {(clients ?? []).map((client) => (
                <tr key={client.id} data-testid="client-row" data-client-id={client.id}>
                  <td>
                    <strong>{client.id}</strong>
                  </td>
                  <td>
                    <Badge tone="neutral">{client.source}</Badge>
                  </td>
                  <td>{client.public ? 'public' : 'confidential'}</td>
                  <td>
                    <Chips items={client.grants} />
                  </td>
                  <td>
                    <Chips items={client.scopes} />
                  </td>
                  <td>
                    <Chips items={client.audiences} />
                  </td>
                  <td>
                    <Chips items={client.roles} />
                  </td>
                  <td class="small mono">{client.redirectUris.length === 0 ? <span class="muted">—</span> : client.redirectUris.join('\n')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </div>
  );
}
