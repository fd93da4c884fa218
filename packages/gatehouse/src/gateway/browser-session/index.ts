// Browser sessions at the gateway: sign-in through the issuer, cookies, silent renewal, logout. This file only re-exports.
export { createBrowserSessions, type BrowserSessions, type BrowserSessionOptions, type SessionEndpoint } from './browser-session-endpoints.ts';
export { compileBrowserLogin, type BrowserLogin } from './browser-login.ts';
export { signInRedirect } from './sign-in-redirect.ts';
export { BROWSER_SESSION_REASONS, type BrowserSessionReason } from './browser-session-reasons.ts';
export { GATEWAY_CLIENT_ID, GATEWAY_CLIENT_SCOPES, gatewayClient } from './gateway-client.ts';
export { BROWSER_SESSION_PATHS } from './session-paths.ts';
export { SESSION_COOKIES } from './session-cookies.ts';
export { safeReturnPath } from './return-path.ts';
export { isPageLoad } from './page-load.ts';
