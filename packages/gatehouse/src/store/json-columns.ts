/**
 * Lists and objects are stored as JSON text, the one representation both dialects share. The
 * store writes every such column itself, so reading trusts the shape it wrote.
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}

export function decodeStringList(text: string): string[] {
  return JSON.parse(text) as string[];
}

export function decodeJsonObject<T extends object = Record<string, unknown>>(text: string): T {
  return JSON.parse(text) as T;
}
