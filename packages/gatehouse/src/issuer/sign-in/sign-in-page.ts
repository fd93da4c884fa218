import { escapeHtml, renderPage } from './html-page.ts';
import type { PageErrorCode } from './page-errors.ts';

export interface SignInPageOptions {
  /** Where the form posts: the sign-in path on this origin. */
  readonly action: string;
  readonly transaction: string;
  readonly csrfToken: string;
  readonly clientId: string;
  /** The login_hint of the authorization request. The username typed before is never echoed, so
   *  a failed attempt renders the same page whatever name was tried. */
  readonly usernameHint: string | null;
  readonly error?: PageErrorCode;
}

/**
 * The sign-in form: plain HTML, no script, so it works without JavaScript; the autocomplete
 * tokens let password managers fill the right fields.
 */
export function renderSignInPage(options: SignInPageOptions): string {
  const content = `<p class="client">to continue to <strong>${escapeHtml(options.clientId)}</strong></p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="tx" value="${escapeHtml(options.transaction)}">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="256" required value="${escapeHtml(options.usernameHint ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
  return renderPage({ title: 'Sign in', page: 'sign-in', ...(options.error === undefined ? {} : { error: options.error }), content });
}
