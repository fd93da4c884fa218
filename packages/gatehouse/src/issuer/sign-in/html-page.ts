import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { PAGE_ERRORS, type PageErrorCode } from './page-errors.ts';

/**
 * The frame of every HTML page the issuer serves, and its headers. The pages need no script at
 * all, so the policy allows none; the one inline style sheet is allowed by its hash. Every value
 * that goes into the markup passes through escapeHtml.
 */
const STYLE = [
  'body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}',
  'main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}',
  'h1{font-size:1.4rem;margin:0 0 1rem}',
  'label{display:block;margin:1rem 0 .3rem;font-weight:600}',
  'input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #9aa3b2;border-radius:4px}',
  'button{margin-top:1.4rem;width:100%;padding:.6rem;font-size:1rem;border:0;border-radius:4px;background:#2456c9;color:#fff;cursor:pointer}',
  '.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}',
  '.client{color:#525b6b}',
].join('');

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

export interface PageOptions {
  readonly title: string;
  /** Which page this is, as `data-page` on <main>. */
  readonly page: string;
  readonly error?: PageErrorCode;
  /** Already-escaped markup for the inside of <main>, after the heading and the error. */
  readonly content: string;
}

export function renderPage(options: PageOptions): string {
  const error = options.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(PAGE_ERRORS[options.error])}</p>`;
  const errorAttribute = options.error === undefined ? '' : ` data-error-code="${escapeHtml(options.error)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main data-page="${escapeHtml(options.page)}"${errorAttribute}>
<h1>${escapeHtml(options.title)}</h1>
${error}${options.content}
</main>
</body>
</html>
`;
}

/**
 * The CSP `form-action` sources for a form whose submission ends in a redirect to `redirectUri`.
 * Chrome and Safari check form-action against every redirect that follows a submission, so
 * 'self' alone would block the 303 back to the client after sign-in (w3c/webappsec-csp#8). The
 * URI was matched exactly against the client's registration before it got here.
 */
export function formActionSourceFor(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.origin === 'null' ? url.protocol : url.origin;
}

export interface SendPageOptions {
  /** Sources allowed in form-action besides 'self' (see formActionSourceFor). */
  readonly formActionSources?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

export function sendPage(reply: FastifyReply, status: number, html: string, options: SendPageOptions = {}): FastifyReply {
  const formAction = ["'self'", ...(options.formActionSources ?? [])].join(' ');
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`)
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache');
  for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
  return reply.send(html);
}

/** A page that only explains an error (no form): the authorization request could not be used. */
export function sendErrorPage(reply: FastifyReply, status: number, error: PageErrorCode): FastifyReply {
  return sendPage(reply, status, renderPage({ title: 'Something went wrong', page: 'error', error, content: '' }));
}
