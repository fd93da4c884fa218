/** People who sign in at the issuer: list, add, disable, reset a password, revoke their sessions. */
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { UserRow } from '../api/types.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Badge, Chips, EmptyRow, ErrorBar, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { formatDateTime, splitList } from '../format.ts';
import { hrefFor } from '../router.ts';

const MIN_PASSWORD = 12;

type Pending = { kind: 'disable'; user: UserRow } | { kind: 'password'; user: UserRow } | { kind: 'revoke'; user: UserRow };

export function UsersPage() {
  const [users, setUsers] = useState<readonly UserRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [form, setForm] = useState({ username: '', password: '', roles: '' });
  const action = useAction();

  const load = async (): Promise<void> => {
    try {
      setUsers(await apiGet<UserRow[]>('users'));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(), []);

  const add = (event: Event): void => {
    event.preventDefault();
    const username = form.username.trim();
    void action.run(async () => {
      await apiPost('users', { username, password: form.password, roles: splitList(form.roles) });
      setForm({ username: '', password: '', roles: '' });
      await load();
      return `User ${username} added.`;
    });
  };

  const confirm = (): void => {
    const current = pending;
    if (current === null) return;
    const { user } = current;
    const id = encodeURIComponent(user.id);
    void action
      .run(async () => {
        switch (current.kind) {
          case 'disable':
            await apiPost(`users/${id}/disable`);
            await load();
            return `${user.username} disabled: they cannot sign in and their sessions are revoked.`;
          case 'password':
            await apiPost(`users/${id}/password`, { password: newPassword });
            return `Password of ${user.username} reset; their sessions are revoked.`;
          case 'revoke':
            await apiPost(`users/${id}/revoke-sessions`);
            return `Every session of ${user.username} revoked.`;
        }
      })
      .then((done) => {
        if (done) {
          setPending(null);
          setNewPassword('');
        }
      });
  };

  return (
    <div class="page" data-testid="page-users">
      <PageHeader title="Users">People who sign in at the issuer. Their roles become the roles claim of their tokens.</PageHeader>
      <ErrorBar error={error} />
      <MessageBar message={action.message} />
      <Panel title="Add a user">
        <form class="row" onSubmit={add} data-testid="user-add-form">
          <label class="field">
            <span>Username</span>
            <input data-testid="user-add-username" value={form.username} autocomplete="off" required onInput={(event) => setForm({ ...form, username: event.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Password (at least {MIN_PASSWORD} characters)</span>
            <input
              data-testid="user-add-password"
              type="password"
              value={form.password}
              autocomplete="new-password"
              required
              minLength={MIN_PASSWORD}
              onInput={(event) => setForm({ ...form, password: event.currentTarget.value })}
            />
          </label>
          <label class="field">
            <span>Roles</span>
            <input data-testid="user-add-roles" value={form.roles} placeholder="admin, billing" onInput={(event) => setForm({ ...form, roles: event.currentTarget.value })} />
          </label>
          <div class="field-end">
            <button class="button button-primary" type="submit" data-testid="user-add-submit" disabled={action.busy}>
              Add user
            </button>
          </div>
        </form>
      </Panel>
      <Panel>
        <div class="table-wrap">
          <table class="table" data-testid="users-table">
            <thead>
              <tr>
                <th>Username</th>
                <th>Roles</th>
                <th>State</th>
                <th>Created</th>
                <th>Id</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users === null ? <EmptyRow columns={6}>Loading…</EmptyRow> : users.length === 0 ? <EmptyRow columns={6}>No users.</EmptyRow> : null}
              {(users ?? []).map((user) => (
                <tr key={user.id} data-testid="user-row" data-username={user.username} data-disabled={String(user.disabled)}>
                  <td>
                    <strong>{user.username}</strong>
                  </td>
                  <td>
                    <Chips items={user.roles} empty="no roles" />
                  </td>
                  <td>{user.disabled ? <Badge tone="deny">disabled</Badge> : <Badge tone="allow">active</Badge>}</td>
                  <td class="nowrap">{formatDateTime(user.createdAt)}</td>
                  <td class="mono small">{user.id}</td>
                  <td class="actions">
                    <a class="button button-small" href={hrefFor('sessions', { user: user.username })}>
                      Sessions
                    </a>
                    <button class="button button-small" data-testid={`user-password-${user.id}`} disabled={action.busy} onClick={() => setPending({ kind: 'password', user })}>
                      Reset password
                    </button>
                    <button class="button button-small" data-testid={`user-revoke-sessions-${user.id}`} disabled={action.busy} onClick={() => setPending({ kind: 'revoke', user })}>
                      Revoke sessions
                    </button>
                    <button class="button button-small button-danger-outline" data-testid={`user-disable-${user.id}`} disabled={user.disabled || action.busy} onClick={() => setPending({ kind: 'disable', user })}>
                      Disable
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      {pending?.kind === 'disable' ? (
        <ConfirmDialog title={`Disable ${pending.user.username}?`} confirmLabel="Disable" danger busy={action.busy} onConfirm={confirm} onCancel={() => setPending(null)}>
          <p>They can no longer sign in, and every session they have is revoked.</p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === 'revoke' ? (
        <ConfirmDialog title={`Revoke every session of ${pending.user.username}?`} confirmLabel="Revoke all sessions" danger busy={action.busy} onConfirm={confirm} onCancel={() => setPending(null)}>
          <p>Every refresh token of this user stops working, in every client, and the access tokens issued from them are refused.</p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === 'password' ? (
        <ConfirmDialog title={`Reset the password of ${pending.user.username}`} confirmLabel="Set password" busy={action.busy || newPassword.length < MIN_PASSWORD} onConfirm={confirm} onCancel={() => setPending(null)}>
          <label class="field">
            <span>New password (at least {MIN_PASSWORD} characters)</span>
            <input data-testid="user-new-password" type="password" autocomplete="new-password" value={newPassword} onInput={(event) => setNewPassword(event.currentTarget.value)} />
          </label>
          <p class="muted">Their sessions are revoked: they sign in again with the new password.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
