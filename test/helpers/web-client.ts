// A minimal browser for HTTP-level tests: a cookie jar per host, manual redirects, and the
// CSRF token and forms of the last page.
export interface WebResponse {
  status: number;
  location: string | null;
  text: string;
  headers: Headers;
}

export class WebClient {
  readonly jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    const jar = this.jar.get(url.host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      this.jar.set(url.host, jar);
      const expired = attrs.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async request(
    method: string,
    url: string,
    form?: Record<string, string> | URLSearchParams,
    extraHeaders: Record<string, string> = {},
  ): Promise<WebResponse> {
    const u = new URL(url);
    const headers: Record<string, string> = {
      cookie: this.cookieHeader(u),
      'accept-language': 'en',
      ...extraHeaders,
    };
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    return this.received(u, await fetch(u, { method, headers, body, redirect: 'manual' }));
  }

  private async received(u: URL, res: Response): Promise<WebResponse> {
    this.store(u, res.headers);
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location ? new URL(location, u).href : null,
      text: await res.text(),
      headers: res.headers,
    };
  }

  /** A multipart form with one file, as a browser's file input sends it. */
  async upload(
    url: string,
    fields: Record<string, string>,
    file: { field: string; filename: string; content: Uint8Array | string; type?: string },
  ): Promise<WebResponse> {
    const u = new URL(url);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append(
      file.field,
      new Blob([file.content], { type: file.type ?? 'application/octet-stream' }),
      file.filename,
    );
    const res = await fetch(u, {
      method: 'POST',
      headers: { cookie: this.cookieHeader(u), 'accept-language': 'en' },
      body: form,
      redirect: 'manual',
    });
    return this.received(u, res);
  }

  get(url: string): Promise<WebResponse> {
    return this.request('GET', url);
  }

  /** A form: its fields, or URLSearchParams for a field given more than once. */
  post(
    url: string,
    form: Record<string, string> | URLSearchParams,
    headers?: Record<string, string>,
  ): Promise<WebResponse> {
    return this.request('POST', url, form, headers);
  }

  /** GET and follow redirects (within `max` hops); returns the last response. */
  async follow(url: string, max = 5): Promise<WebResponse> {
    let res = await this.get(url);
    for (let i = 0; i < max && res.location && res.status >= 300 && res.status < 400; i++)
      res = await this.get(res.location);
    return res;
  }
}

/** The page's CSRF token: a form's hidden field, or a multipart form action's `_csrf` query. */
export function csrfOf(html: string): string {
  const field = /name="_csrf" value="([^"]+)"/.exec(html);
  if (field) return field[1]!;
  const query = /[?&](?:amp;)?_csrf=([^"&]+)/.exec(html);
  if (!query) throw new Error('no CSRF token on the page');
  return decodeURIComponent(query[1]!);
}
