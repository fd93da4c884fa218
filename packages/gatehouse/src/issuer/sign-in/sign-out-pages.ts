import { escapeHtml, renderPage } from './html-page.ts';
import type { PageErrorCode } from './page-errors.ts';

/**
 * A sign-out request that no relying party vouches for (no id_token_hint) could come from any
 * page that links here, so it is only acted upon once the person confirms with this form.
 */
export function renderSignOutConfirmation(options: { readonly action: string; readonly csrfToken: string; readonly error?: PageErrorCode }): string {
  const content = `<p>Do you want to sign out?</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">
<button type="submit">Sign out</button>
</form>`;
  return renderPage({ title: 'Sign out', page: 'sign-out-confirmation', ...(options.error === undefined ? {} : { error: options.error }), content });
}

export function renderSignedOut(): string {
  return renderPage({ title: 'Signed out', page: 'signed-out', content: '<p>You are signed out. You can close this window.</p>' });
}
