// Input no field may hold, checked in one walk: values nested deeper than any ORCID document
// (a 100,000-level JSON body would overflow a recursive walk later), and NUL characters in any
// string or key (PostgreSQL refuses them in text). Framework-free: the web guard and the upload
// parsers share it.

/** Deeper than ORCID's model ever nests (a work's contributor attributes are about 8 levels). */
export const MAX_JSON_DEPTH = 32;

export const BAD_INPUT = 'LANYARD_BAD_INPUT';

/** statusCode and code let the web layer answer it as a 400 naming the field. */
export class BadInput extends Error {
  readonly statusCode = 400;
  readonly code = BAD_INPUT;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadInput';
  }
}

/** The first problem in a parsed value: too deep, or a NUL in a string or key (iterative walk). */
export function inputProblem(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): BadInput | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return new BadInput(path, 'must not contain NUL characters');
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= maxDepth) return new BadInput(path, `is nested deeper than ${maxDepth} levels`);
    for (const [k, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) return new BadInput(path || '(body)', 'has a key with a NUL character');
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}
