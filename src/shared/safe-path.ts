/** A same-site path to go back to after login; anything else falls back to the role's home. */
export function safeNextPath(next: unknown): string | undefined {
  if (typeof next !== 'string') return undefined;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 500) return undefined;
  return next;
}
