// Memoised parts for the composition root: each is built on first use, once.
export class Parts {
  private readonly built = new Map<string, unknown>();
  protected once<T>(key: string, make: () => T): T {
    if (!this.built.has(key)) this.built.set(key, make());
    return this.built.get(key) as T;
  }
  protected has(key: string): boolean {
    return this.built.has(key);
  }
}
