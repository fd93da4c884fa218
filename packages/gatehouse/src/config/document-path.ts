/** Paths into the document as people read them: `routes[1].allow[0].all[1].scope`. */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function keyPath(parent: string, key: string): string {
  const segment = PLAIN_KEY.test(key) ? key : JSON.stringify(key);
  if (parent === '') return PLAIN_KEY.test(key) ? key : `[${segment}]`;
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${segment}]`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
