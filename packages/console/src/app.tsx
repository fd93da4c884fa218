/** The console's frame: who is signed in, the navigation, and the page the hash names. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, loadSession, signOut } from './api/client.ts';
import type { Session } from './api/types.ts';
import { describeError } from './components/ui.tsx';
import { ClientsPage } from './pages/clients.tsx';
import { DebuggerPage } from './pages/debugger.tsx';
import { DecisionsPage } from './pages/decisions.tsx';
import { KeysPage } from './pages/keys.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PolicyPage } from './pages/policy.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { UsersPage } from './pages/users.tsx';
import { hrefFor, PAGES, useHashLocation, type Location } from './router.ts';

type SessionState = { status: 'loading' } | { status: 'ready'; session: Session } | { status: 'forbidden'; message: string } | { status: 'failed'; message: string };

export function App() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const location = useHashLocation();

  useEffect(() => {
    loadSession().then(
      (session) => setState({ status: 'ready', session }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return; // on the way to sign-in
        if (error instanceof ApiError && error.status === 403) setState({ status: 'forbidden', message: error.message });
        else setState({ status: 'failed', message: describeError(error) });
      },
    );
  }, []);

  useEffect(() => {
    const page = PAGES.find((candidate) => candidate.id === location.page);
    document.title = `${page?.title ?? 'Console'} · Gatehouse`;
  }, [location.page]);

  if (state.status === 'loading') return <div class="splash">Loading…</div>;
  if (state.status === 'forbidden') return <Refused message={state.message} />;
  if (state.status === 'failed') {
    return (
      <div class="splash">
        <div class="message message-error" role="alert" data-testid="error">
          The console could not load: {state.message}
        </div>
      </div>
    );
  }
  const { session } = state;
  return (
    <div class="shell">
      <aside class="sidebar">
        <a class="brand" href={hrefFor('overview')}>
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={28} height={28} />
          <span>
            Gatehouse <small>console</small>
          </span>
        </a>
        <nav aria-label="Console">
          {PAGES.map((page) => (
            <a key={page.id} href={hrefFor(page.id)} class={location.page === page.id ? 'nav-link nav-active' : 'nav-link'} data-testid={`nav-${page.id}`} aria-current={location.page === page.id ? 'page' : undefined}>
              {page.title}
            </a>
          ))}
        </nav>
        <div class="whoami" data-testid="whoami">
          <div>
            Signed in as <strong data-testid="whoami-username">{session.username ?? session.sub}</strong>
          </div>
          <div class="muted small">{session.roles.join(', ')}</div>
          <button class="button button-small" data-testid="sign-out" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main class="content">
        <CurrentPage location={location} />
      </main>
    </div>
  );
}

function CurrentPage({ location }: { location: Location }) {
  switch (location.page) {
    case 'overview':
      return <OverviewPage />;
    case 'decisions':
      return <DecisionsPage params={location.params} />;
    case 'debugger':
      return <DebuggerPage />;
    case 'sessions':
      return <SessionsPage params={location.params} />;
    case 'keys':
      return <KeysPage />;
    case 'users':
      return <UsersPage />;
    case 'clients':
      return <ClientsPage />;
    case 'policy':
      return <PolicyPage />;
  }
}

/** Signed in, but not an administrator: nothing of the console is shown. */
function Refused({ message }: { message: string }) {
  return (
    <div class="splash">
      <div class="refused" data-testid="forbidden" role="alert">
        <h1>Not allowed</h1>
        <p>The console is for administrators; this account does not have the admin role.</p>
        {message === '' ? null : <p class="muted small">{message}</p>}
        <button class="button" data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </div>
  );
}
