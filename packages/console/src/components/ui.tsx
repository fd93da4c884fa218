/** Small shared pieces: messages, badges, empty states, the action runner. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';

export interface Message {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** What an API failure says to an operator: the server's message and its code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Runs one operator action at a time and keeps what it said (its result or its error). */
export function useAction(): {
  busy: boolean;
  message: Message | null;
  run: (action: () => Promise<string | void>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const run = async (action: () => Promise<string | void>): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    try {
      const said = await action();
      if (typeof said === 'string') setMessage({ kind: 'ok', text: said });
      return true;
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, run, clear: () => setMessage(null) };
}

export function MessageBar({ message }: { message: Message | null }) {
  if (message === null) return null;
  return (
    <div class={`message message-${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={message.kind === 'error' ? 'error' : 'notice'}>
      {message.text}
    </div>
  );
}

export function ErrorBar({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return <MessageBar message={{ kind: 'error', text: describeError(error) }} />;
}

/** A coloured word for a state: allow/deny, pass/fail/skip, key states, severities. */
export function Badge({ tone, children, testid }: { tone: string; children: ComponentChildren; testid?: string }) {
  return (
    <span class={`badge badge-${tone}`} data-testid={testid}>
      {children}
    </span>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children === undefined ? null : <div class="page-intro">{children}</div>}
    </header>
  );
}

export function Panel({ title, children, actions, testid }: { title?: string; children: ComponentChildren; actions?: ComponentChildren; testid?: string }) {
  return (
    <section class="panel" data-testid={testid}>
      {title === undefined && actions === undefined ? null : (
        <div class="panel-head">
          {title === undefined ? <span /> : <h2>{title}</h2>}
          {actions === undefined ? null : <div class="panel-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export function EmptyRow({ columns, children }: { columns: number; children: ComponentChildren }) {
  return (
    <tr class="empty-row">
      <td colSpan={columns}>{children}</td>
    </tr>
  );
}

/** A list of short words (roles, scopes, grants) as chips. */
export function Chips({ items, empty = '—' }: { items: readonly string[] | null | undefined; empty?: string }) {
  if (items === null || items === undefined || items.length === 0) return <span class="muted">{empty}</span>;
  return (
    <span class="chips">
      {items.map((item) => (
        <span class="chip" key={item}>
          {item}
        </span>
      ))}
    </span>
  );
}

/** JSON, pretty-printed, in a scrollable block. */
export function JsonBlock({ value, testid }: { value: unknown; testid?: string }) {
  return (
    <pre class="json" data-testid={testid}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
