/** RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). One definition for every reader of scopes. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

