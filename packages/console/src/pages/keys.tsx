/**
 * Signing keys through their lifecycle (pending → active → retiring → retired): age, next
 * rotation, rotate now, and the emergency revoke, which asks for the kid to be typed.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { KeyList, SigningKeyRow } from '../api/types.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Badge, EmptyRow, ErrorBar, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { formatDateTime, formatDuration, formatRelative, shorten } from '../format.ts';

const LIFECYCLE = ['pending', 'active', 'retiring', 'retired'] as const;
const STATE_TONE: Readonly<Record<string, string>> = { pending: 'info', active: 'allow', retiring: 'warn', retired: 'neutral', revoked: 'deny' };
const STATE_MEANING: Readonly<Record<string, string>> = {
  pending: 'published in JWKS, not signing yet',
  active: 'signs new tokens',
  retiring: 'published, no longer signing',
  retired: 'kept until its last token expires',
};

export function KeysPage() {
  const [list, setList] = useState<KeyList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<SigningKeyRow | null>(null);
  const action = useAction();

  const load = async (): Promise<void> => {
    try {
      setList(await apiGet<KeyList>('keys'));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => void load(), []);

  const rotate = (): void => {
    void action.run(async () => {
      await apiPost('keys/rotate');
      await load();
      return 'Rotation started: a new pending key is published now and starts signing once every verifier has had time to fetch it.';
    });
  };
  const revoke = (): void => {
    const key = revoking;
    if (key === null) return;
    void action
      .run(async () => {
        await apiPost(`keys/${encodeURIComponent(key.kid)}/revoke`, { confirm: key.kid });
        await load();
        return `Key ${key.kid} revoked: every token it signed is refused from now on.`;
      })
      .then(() => setRevoking(null));
  };

  const now = Date.now();
  const pending = list?.keys.find((key) => key.state === 'pending');
  const counts = new Map<string, number>();
  for (const key of list?.keys ?? []) counts.set(key.state, (counts.get(key.state) ?? 0) + 1);

  return (
    <div class="page" data-testid="page-keys">
      <PageHeader title="Keys">Signing keys. A new key is published before it signs; a retired key stays published until every token it signed has expired.</PageHeader>
      <ErrorBar error={error} />
      <MessageBar message={action.message} />
      <div class="lifecycle" data-testid="key-lifecycle" aria-label="Key lifecycle">
        {LIFECYCLE.map((state, index) => (
          <Fragment key={state}>
            {index === 0 ? null : <div class="lifecycle-arrow" aria-hidden="true">→</div>}
            <div class={`lifecycle-step lifecycle-${state}${(counts.get(state) ?? 0) > 0 ? ' lifecycle-filled' : ''}`}>
              <div class="lifecycle-count">{counts.get(state) ?? 0}</div>
              <div class="lifecycle-name">{state}</div>
              <div class="lifecycle-meaning">{STATE_MEANING[state]}</div>
            </div>
          </Fragment>
        ))}
      </div>
      <Panel
        title="Signing keys"
        actions={
          <>
            <span class="muted" data-testid="next-rotation">
              Next rotation: {list === null ? '…' : list.nextRotationAt === null ? 'not scheduled' : `${formatRelative(list.nextRotationAt, now)} (${formatDateTime(list.nextRotationAt)})`}
            </span>
            <button
              class="button button-primary"
              data-testid="key-rotate"
              disabled={action.busy || pending !== undefined}
              title={pending === undefined ? 'Add a new key now; it starts signing once verifiers have fetched it' : `Key ${pending.kid} is already pending: rotate again once it signs`}
              onClick={rotate}
            >
              Rotate now
            </button>
          </>
        }
      >
        <div class="table-wrap">
          <table class="table" data-testid="keys-table">
            <thead>
              <tr>
                <th>kid</th>
                <th>Algorithm</th>
                <th>State</th>
                <th>Age</th>
                <th>Activates</th>
                <th>Retires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list === null ? <EmptyRow columns={7}>Loading…</EmptyRow> : list.keys.length === 0 ? <EmptyRow columns={7}>No keys.</EmptyRow> : null}
              {(list?.keys ?? []).map((key) => (
                <tr key={key.kid} data-testid="key-row" data-kid={key.kid} data-state={key.state}>
                  <td class="mono small nowrap" title={key.kid}>
                    {shorten(key.kid, 14)}
                  </td>
                  <td>{key.alg}</td>
                  <td>
                    <Badge tone={STATE_TONE[key.state] ?? 'neutral'} testid="key-state">
                      {key.state}
                    </Badge>
                  </td>
                  <td class="nowrap" title={`created ${formatDateTime(key.createdAt)}`}>
                    {formatDuration(key.ageSeconds)}
                  </td>
                  <td class="nowrap">{formatDateTime(key.activatesAt)}</td>
                  <td class="nowrap">{formatDateTime(key.retiresAt)}</td>
                  <td class="actions">
                    <button class="button button-small button-danger-outline" data-testid={`key-revoke-${key.kid}`} disabled={key.state === 'revoked' || action.busy} onClick={() => setRevoking(key)}>
                      Emergency revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      {revoking === null ? null : (
        <ConfirmDialog title="Emergency revoke" typeToConfirm={revoking.kid} confirmLabel="Revoke this key now" danger busy={action.busy} onConfirm={revoke} onCancel={() => setRevoking(null)}>
          <p>
            Key <code class="break">{revoking.kid}</code> ({revoking.alg}, {revoking.state}) is removed from the key set at once. <strong>Every token it signed is refused</strong> at every gateway, and
            the people and services holding them must get new ones.
            {revoking.state === 'active' ? ' Another key takes over signing.' : ''}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
