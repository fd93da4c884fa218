/** Refresh-token families (one per sign-in per client): who is signed in where; revoke one, or all of a user's. */
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { RefreshSessionRow } from '../api/types.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Badge, EmptyRow, ErrorBar, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { formatDateTime, formatRelative } from '../format.ts';

export function SessionsPage({ params }: { params: URLSearchParams }) {
  const [user, setUser] = useState(params.get('user') ?? '');
  const [shownUser, setShownUser] = useState(user);
  const [sessions, setSessions] = useState<readonly RefreshSessionRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revokeAll, setRevokeAll] = useState<{ userId: string; username: string } | null>(null);
  const action = useAction();

  const load = async (forUser = shownUser): Promise<void> => {
    try {
      const query = forUser.trim() === '' ? '' : `?user=${encodeURIComponent(forUser.trim())}`;
      setSessions(await apiGet<RefreshSessionRow[]>(`sessions${query}`));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(), []);

  const revoke = (session: RefreshSessionRow): void => {
    void action.run(async () => {
      await apiPost(`sessions/${encodeURIComponent(session.id)}/revoke`);
      await load();
      return `Session ${session.id} of ${session.username ?? session.userId ?? 'a service'} (${session.clientId}) revoked: its refresh token and its access tokens are refused from now on.`;
    });
  };
  const confirmRevokeAll = (): void => {
    const target = revokeAll;
    if (target === null) return;
    void action
      .run(async () => {
        await apiPost(`users/${encodeURIComponent(target.userId)}/revoke-sessions`);
        await load();
        return `Every session of ${target.username} revoked.`;
      })
      .then(() => setRevokeAll(null));
  };

  const now = Date.now();
  return (
    <div class="page" data-testid="page-sessions">
      <PageHeader title="Sessions">Refresh-token families, one per sign-in and client. Revoking one refuses its refresh token and every access token issued from it, at every gateway.</PageHeader>
      <Panel>
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setShownUser(user);
            void load(user);
          }}
        >
          <label class="field">
            <span>User</span>
            <input data-testid="sessions-user" value={user} placeholder="username or id; empty for all" onInput={(event) => setUser(event.currentTarget.value)} />
          </label>
          <div class="filter-actions">
            <button class="button button-primary" type="submit" data-testid="sessions-search">
              Show
            </button>
            <button class="button" type="button" data-testid="sessions-refresh" onClick={() => void load()}>
              Refresh
            </button>
          </div>
        </form>
      </Panel>
      <ErrorBar error={error} />
      <MessageBar message={action.message} />
      <Panel>
        <div class="table-wrap">
          <table class="table" data-testid="sessions-table">
            <thead>
              <tr>
                <th>User</th>
                <th>Client</th>
                <th>State</th>
                <th>Signed in</th>
                <th>Last used</th>
                <th>Expires</th>
                <th>Session</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sessions === null ? <EmptyRow columns={8}>Loading…</EmptyRow> : sessions.length === 0 ? <EmptyRow columns={8}>No sessions.</EmptyRow> : null}
              {(sessions ?? []).map((session) => {
                const active = session.state === 'active';
                return (
                  <tr key={session.id} data-testid="session-row" data-session-id={session.id} data-state={session.state}>
                    <td>{session.username ?? session.userId ?? <span class="muted">—</span>}</td>
                    <td>
                      <code>{session.clientId}</code>
                      {session.audience === undefined || session.audience === null ? null : <div class="muted small">aud {session.audience}</div>}
                      {session.scope === undefined || session.scope === null || session.scope === '' ? null : <div class="muted small">{session.scope}</div>}
                    </td>
                    <td>
                      <Badge tone={active ? 'allow' : session.state === 'revoked' ? 'deny' : 'neutral'}>{session.state}</Badge>
                    </td>
                    <td class="nowrap">{formatDateTime(session.createdAt)}</td>
                    <td class="nowrap">{formatRelative(session.lastUsedAt, now)}</td>
                    <td class="nowrap">{formatRelative(session.expiresAt, now)}</td>
                    <td class="mono small">{session.id}</td>
                    <td class="actions">
                      <button class="button button-small button-danger-outline" data-testid={`session-revoke-${session.id}`} disabled={!active || action.busy} onClick={() => revoke(session)}>
                        Revoke
                      </button>
                      {session.userId === null ? null : (
                        <button
                          class="button button-small"
                          data-testid={`user-revoke-all-${session.userId}`}
                          disabled={action.busy}
                          onClick={() => setRevokeAll({ userId: session.userId!, username: session.username ?? session.userId! })}
                        >
                          Revoke all of user
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Panel>
      {revokeAll === null ? null : (
        <ConfirmDialog title={`Revoke every session of ${revokeAll.username}?`} confirmLabel="Revoke all sessions" danger busy={action.busy} onConfirm={confirmRevokeAll} onCancel={() => setRevokeAll(null)}>
          <p>Every refresh token of this user stops working, in every client, and the access tokens issued from them are refused. The user signs in again.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
