/** A value as one shell word, for commands the CLI suggests running: as is when safe, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
