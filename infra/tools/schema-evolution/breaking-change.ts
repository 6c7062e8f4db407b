/** The kinds of change the evolution check refuses within a major version. */
export type BreakingKind =
  // a file of the last release
  | 'removed-file'
  | 'version-decreased'
  // inside a JSON Schema
  | 'removed-property'
  | 'narrowed-type'
  | 'new-required'
  | 'removed-enum-value'
  | 'tightened-constraint'
  | 'removed-definition'
  | 'changed-reference'
  // inside openapi.yaml / asyncapi.yaml
  | 'removed-path'
  | 'removed-operation'
  | 'removed-parameter'
  | 'removed-response'
  | 'removed-media-type'
  | 'removed-channel'
  | 'removed-message';

/** One breaking change: where it is in the released tree (`<path>#<pointer>`) and what changed. */
export interface BreakingChange {
  readonly kind: BreakingKind;
  readonly at: string;
  readonly message: string;
}

/** `at` extended by one JSON pointer token. */
export function child(at: string, ...tokens: Array<string | number>): string {
  return at + tokens.map((token) => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The changes without repeats (the same change reached through two references), in order. */
export function distinct(changes: readonly BreakingChange[]): BreakingChange[] {
  const seen = new Set<string>();
  return changes.filter((change) => {
    const key = `${change.kind}\u0000${change.at}\u0000${change.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
