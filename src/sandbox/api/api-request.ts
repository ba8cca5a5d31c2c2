// A request to the simulated API as the dispatcher and its handlers see it.

export interface ApiRequest {
  api: 'member' | 'public';
  method: string;
  /** The path below the host prefix, e.g. `/v3.0/0000-0002-1825-0097/works`. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}
