import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../issuer/sign-in/html-page.ts';

/**
 * The few pages the server itself writes for the console (the UI is the built bundle): plain
 * HTML without any script or inline style, under the console's CSP.
 */
export function sendConsolePage(reply: FastifyReply, status: number, title: string, paragraphs: readonly string[], link?: { readonly href: string; readonly text: string }): FastifyReply {
  const body = paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n');
  const anchor = link === undefined ? '' : `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Gatehouse console</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}${anchor}
</main>
</body>
</html>
`;
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
