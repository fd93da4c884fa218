import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendConsoleError } from './console-errors.ts';
import { CONSOLE_PATHS } from './console-paths.ts';

/** Content types of what a Vite build emits, by extension. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** Vite puts content-hashed files here: their name changes with their content, so they may be cached for good. */
const HASHED_ASSETS = `${CONSOLE_PATHS.home}assets/`;

const SIGN_IN_PATHS: ReadonlySet<string> = new Set([CONSOLE_PATHS.login, CONSOLE_PATHS.callback, CONSOLE_PATHS.logout]);

export const CONSOLE_NOT_BUILT = 'the console is not built: npm run build';

export interface StaticUiOptions {
  /** The built UI (its index.html and assets). Default: the dist folder of the @gatehouse/console package. */
  readonly directory?: string;
}

/**
 * GET /console/ and everything under it that is not the API or a sign-in endpoint: the built UI.
 * A file of the build is served with its content type; any other path is the single-page app's
 * (index.html), except a missing file with a static asset's extension (a 404, not a page in its
 * place). Without a build — the package missing or never built — a 503 saying how to build it.
 * Paths are decoded segment by segment and must stay inside the build folder.
 */
export function createStaticUi(options: StaticUiOptions = {}): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  let directory = options.directory;

  return async function serveConsoleUi(request, reply) {
    const path = (request.raw.url ?? '').split('?')[0]!;
    if (path === CONSOLE_PATHS.api || path.startsWith(`${CONSOLE_PATHS.api}/`)) return sendConsoleError(reply, 'not_found', `no endpoint ${request.method} ${path}`);
    // The sign-in endpoints' paths reach here only with a method they do not take (a HEAD).
    if (SIGN_IN_PATHS.has(path)) return notFound(reply);
    directory ??= builtUiDirectory();
    if (directory === undefined || !(await isFile(join(directory, 'index.html')))) {
      directory = options.directory;
      return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(`${CONSOLE_NOT_BUILT}\n`);
    }
    const relative = relativeFile(path);
    if (relative === undefined) return notFound(reply);
    const file = relative === '' ? undefined : join(directory, relative);
    if (file !== undefined && file.startsWith(directory + sep) && (await isFile(file))) {
      const cache = path.startsWith(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache';
      return reply.header('cache-control', cache).type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').send(await readFile(file));
    }
    if (relative !== '' && Object.hasOwn(CONTENT_TYPES, extname(relative).toLowerCase()) && extname(relative).toLowerCase() !== '.html') return notFound(reply);
    return reply.header('cache-control', 'no-cache').type(CONTENT_TYPES['.html']!).send(await readFile(join(directory, 'index.html')));
  };
}

/** The dist folder of @gatehouse/console, when the package is installed. */
function builtUiDirectory(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@gatehouse/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * The file a path under /console/ names, relative to the build folder ('' for the index); undefined
 * for a path no file can have: an undecodable escape, a `.` or `..` segment, an empty segment, or a
 * segment that decodes to a slash, a backslash or a NUL.
 */
function relativeFile(path: string): string | undefined {
  const rest = path.slice(CONSOLE_PATHS.home.length);
  if (rest === '') return '';
  const parts = rest.split('/');
  // `/console/users/` is an app path like `/console/users`.
  if (parts.at(-1) === '') parts.pop();
  const segments: string[] = [];
  for (const raw of parts) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments.join(sep);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('not found\n');
}
