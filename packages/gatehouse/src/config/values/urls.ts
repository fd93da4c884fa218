import type { JwksSource } from '../types.ts';
import { INVALID, reader, reject, stringValue, type Reader, type ValueAt } from '../readers.ts';
import { resolveFilePath } from './file-path.ts';

/** Plain http is accepted only where it cannot cross a network: for local development. As URL#hostname gives them. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

interface UrlRules {
  readonly protocols: readonly string[];
  readonly httpOnLoopback?: boolean;
  readonly query?: boolean;
  /** Refusals show the scheme and host only: the rest of a webhook URL is often its secret. */
  readonly hidePath?: boolean;
}

/** A password in a URL's userinfo, replaced on the text so that malformed URLs are redacted too. */
function withoutPassword(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*):[^@]*@/, '$1:***@');
}

/** The text up to the end of its host, `…` for the rest. */
function withoutPath(text: string): string {
  const authority = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^/?#]*/.exec(text)![0];
  return authority.length === text.length ? text : `${authority}…`;
}

/** Parses and checks an absolute URL; reports and returns undefined when it breaks a rule. */
function checkUrl(value: ValueAt, expected: string, rules: UrlRules): URL | undefined {
  const text = stringValue(value);
  const refuse = (hint: string | undefined): undefined => {
    const shown = text === undefined || (value.node.kind === 'scalar' && value.node.substituted) ? {} : { found: JSON.stringify(rules.hidePath === true ? withoutPath(withoutPassword(text)) : withoutPassword(text)) };
    reject(value, expected, { ...shown, ...(hint === undefined ? {} : { hint }) });
    return undefined;
  };
  if (text === undefined || text.trim() !== text || !URL.canParse(text) || !text.includes('://')) {
    // `127.0.0.1:9001` and `localhost:9001` are the usual slips; the second would parse as a scheme.
    return refuse(text !== undefined && !text.includes('://') ? 'an absolute URL starts with a scheme, like https://' : undefined);
  }
  const url = new URL(text);
  const loopbackHttp = rules.httpOnLoopback === true && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  const problem =
    !rules.protocols.includes(url.protocol) && !loopbackHttp ? `the scheme ${url.protocol.slice(0, -1)} is not allowed here`
    : url.host === '' ? 'it has no host'
    : url.username !== '' || url.password !== '' ? 'credentials do not belong in the URL'
    : text.includes('#') ? 'a fragment is not allowed'
    : rules.query !== true && text.includes('?') ? 'a query is not allowed'
    : text.includes('*') ? 'wildcards are not allowed'
    : undefined;
  return problem === undefined ? url : refuse(problem);
}

/** Our own issuer: https (http for localhost), normalized without a trailing slash. */
export const issuerUrl: Reader<string> = reader('an absolute https URL without query or fragment (http only for localhost or 127.0.0.1)', (value) => {
  const url = checkUrl(value, issuerUrl.expected, { protocols: ['https:'], httpOnLoopback: true });
  return url === undefined ? INVALID : `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
});

/** A trusted issuer's `iss`: the same rules, but kept exactly as written, since `iss` is compared exactly. */
export const trustedIssuerUrl: Reader<string> = reader(issuerUrl.expected, (value) => {
  const url = checkUrl(value, trustedIssuerUrl.expected, { protocols: ['https:'], httpOnLoopback: true });
  return url === undefined ? INVALID : (stringValue(value) as string);
});

export const upstreamUrl: Reader<string> = reader('an absolute http, https, ws or wss URL without credentials, query or fragment', (value) => {
  const url = checkUrl(value, upstreamUrl.expected, { protocols: ['http:', 'https:', 'ws:', 'wss:'] });
  return url === undefined ? INVALID : url.href;
});

/** Kept as written: the authorization endpoint compares redirect URIs as exact strings (OAuth 2.1 §2.3.1). */
export const redirectUri: Reader<string> = reader('an absolute https URL without fragment or wildcard (http only for localhost, 127.0.0.1 or [::1])', (value) => {
  const url = checkUrl(value, redirectUri.expected, { protocols: ['https:'], httpOnLoopback: true, query: true });
  return url === undefined ? INVALID : (stringValue(value) as string);
});

/** `https://…` fetches the key set; anything without a scheme is a local JWK Set file. */
export const jwksSource: Reader<JwksSource> = reader('an https URL or the path of a local JWK Set file', (value) => {
  const text = stringValue(value);
  if (text === undefined || text === '') return reject(value, jwksSource.expected);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return { kind: 'file', path: resolveFilePath(value, text) };
  const url = checkUrl(value, jwksSource.expected, { protocols: ['https:'], query: true });
  return url === undefined ? INVALID : { kind: 'remote', url: url.href };
});

/** The anomaly webhook: normalized; never shown whole in a refusal. */
export const webhookUrl: Reader<string> = reader('an absolute https URL without credentials or fragment (http only for localhost, 127.0.0.1 or [::1])', (value) => {
  const url = checkUrl(value, webhookUrl.expected, { protocols: ['https:'], httpOnLoopback: true, query: true, hidePath: true });
  return url === undefined ? INVALID : url.href;
});
