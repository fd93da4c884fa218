// The web console: sign-in, the JSON admin API, the built UI, the decision history. This file only re-exports.
export { createConsole, type ConsoleOptions, type ConsoleDependencies, type WebConsole } from './create-console.ts';
export { createDecisionHistory, type DecisionHistory, type DecisionHistoryOptions, type HistoryLine, type DecisionFilter, type DecisionPage } from './decision-history.ts';
export { CONSOLE_CLIENT_ID, CONSOLE_AUDIENCE, consoleClient } from './console-client.ts';
export { CONSOLE_PATHS } from './console-paths.ts';
export { CONSOLE_COOKIES } from './console-cookies.ts';
export { CONSOLE_API_ERRORS, CONSOLE_SERVER_ERROR_STATUS } from './console-errors.ts';
export { CONSOLE_CSP, CONSOLE_SECURITY_HEADERS } from './security-headers.ts';
