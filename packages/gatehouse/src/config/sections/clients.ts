import { CONSOLE_CLIENT_ID } from '../../console/console-client.ts';
import { GATEWAY_CLIENT_ID } from '../../gateway/browser-session/gateway-client.ts';
import { describeSecretFound } from '../describe-found.ts';
import { booleanValue, childAt, didYouMean, INVALID, listOf, nonEmptyString, optional, readFields, reader, reject, required, stringValue, warn, type Reader, type ValueAt } from '../readers.ts';
import { SecretString } from '../secret.ts';
import type { ClientConfig, GrantType } from '../types.ts';
import { configId, scopeToken } from '../values/names.ts';
import { redirectUri } from '../values/urls.ts';

const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];

/** Grants OAuth 2.1 removed, with the reason given when someone asks for one. */
const REMOVED_GRANTS: Readonly<Record<string, string>> = {
  implicit: 'OAuth 2.1 removed the implicit grant (tokens in the URL leak); use authorization_code with PKCE',
  token: 'OAuth 2.1 removed the implicit grant (tokens in the URL leak); use authorization_code with PKCE',
  password: 'OAuth 2.1 removed the resource owner password grant; use authorization_code, or the device flow for command-line tools',
};

const MIN_SECRET_LENGTH = 32;

const grantType: Reader<GrantType> = reader(`one of ${GRANT_TYPES.join(', ')}`, (value) => {
  const text = stringValue(value);
  if (text !== undefined && (GRANT_TYPES as readonly string[]).includes(text)) return text as GrantType;
  const removed = text === undefined ? undefined : REMOVED_GRANTS[text];
  if (removed !== undefined) return reject(value, grantType.expected, { hint: removed });
  const hint = text === undefined ? undefined : didYouMean(text, GRANT_TYPES);
  return reject(value, grantType.expected, hint === undefined ? {} : { hint });
});

/** Never echoes the value, not even part of it: only its type and length. */
const clientSecret: Reader<SecretString> = reader(`a string of at least ${MIN_SECRET_LENGTH} characters`, (value) => {
  const text = stringValue(value);
  if (text === undefined || text.length < MIN_SECRET_LENGTH) return reject(value, clientSecret.expected, { found: describeSecretFound(value.node) });
  if (value.node.kind === 'scalar' && !value.node.substituted) warn(value, 'the client secret is written in the file; read it from the environment with ${VAR}');
  return new SecretString(text);
});

const uniqueText = { uniqueBy: (text: string) => text };

export const client: Reader<ClientConfig> = reader('a client: a mapping with id, grants and either secret or public: true', (value) => {
  const read = readFields(value, {
    id: required(configId),
    secret: optional(clientSecret),
    public: optional(booleanValue, false),
    grants: required(listOf(grantType, { min: 1, ...uniqueText })),
    scopes: optional(listOf(scopeToken, uniqueText), []),
    audiences: optional(listOf(nonEmptyString, uniqueText), []),
    redirectUris: optional(listOf(redirectUri, uniqueText), []),
    roles: optional(listOf(nonEmptyString, uniqueText), []),
  }, client.expected);
  if (read === INVALID) return INVALID;
  const { mapping, fields } = read;
  let consistent = true;
  const conflict = (at: ValueAt, expected: string, hint?: string, found?: string) => {
    consistent = false;
    reject(at, expected, { kind: 'conflict', ...(hint === undefined ? {} : { hint }), ...(found === undefined ? {} : { found }) });
  };

  if (fields.id === GATEWAY_CLIENT_ID) {
    conflict(mapping.at('id')!, `a client id other than ${GATEWAY_CLIENT_ID}`, 'that id is reserved for the gateway\'s built-in client, which the login: browser routes define');
  }
  if (fields.id === CONSOLE_CLIENT_ID) {
    conflict(mapping.at('id')!, `a client id other than ${CONSOLE_CLIENT_ID}`, 'that id is reserved for the web console\'s built-in client');
  }

  const isPublic = fields.public === true;
  const secretAt = mapping.at('secret');
  if (isPublic && secretAt !== undefined) {
    conflict(secretAt, 'no secret on a public client (public: true)', 'a browser or native app cannot keep a secret', describeSecretFound(secretAt.node));
  }
  if (fields.public === false && secretAt === undefined) {
    consistent = false;
    mapping.missing('secret', `${clientSecret.expected} (or public: true for a browser or native app)`);
  }

  if (fields.grants !== INVALID) {
    const grants = fields.grants;
    const grantAt = (grant: GrantType): ValueAt => childAt(mapping.at('grants')!, grants.indexOf(grant))!;
    if (isPublic && grants.includes('client_credentials')) {
      conflict(grantAt('client_credentials'), 'authorization_code or refresh_token for a public client', 'client_credentials needs a secret to authenticate with');
    }
    if (grants.includes('refresh_token') && !grants.includes('authorization_code')) {
      conflict(grantAt('refresh_token'), 'refresh_token only together with authorization_code', 'client_credentials clients get a new access token instead of a refresh token');
    }
    const usesCode = grants.includes('authorization_code');
    const redirectsAt = mapping.at('redirectUris');
    if (usesCode && (redirectsAt === undefined || (fields.redirectUris !== INVALID && fields.redirectUris.length === 0))) {
      consistent = false;
      if (redirectsAt === undefined) mapping.missing('redirectUris', `at least one redirect URI for the authorization_code grant`);
      else reject(redirectsAt, 'at least one redirect URI for the authorization_code grant', { kind: 'conflict' });
    }
    if (!usesCode && redirectsAt !== undefined) conflict(redirectsAt, 'no redirectUris without the authorization_code grant');
  }

  const complete = read.complete();
  if (complete === undefined || !consistent) return INVALID;
  const common = {
    id: complete.id,
    grants: complete.grants,
    scopes: complete.scopes,
    audiences: complete.audiences,
    redirectUris: complete.redirectUris,
    roles: complete.roles,
  };
  return complete.public ? { ...common, public: true } : { ...common, public: false, secret: complete.secret! };
});
