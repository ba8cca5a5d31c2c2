// Content negotiation of the v3.0 API (SPEC 6.3).

export type WireFormat = 'xml' | 'json' | 'json-pretty';

export interface Negotiated {
  format: WireFormat;
  mediaType: string;
}

const FORMATS: Record<string, WireFormat> = {
  'application/vnd.orcid+xml': 'xml',
  'application/orcid+xml': 'xml',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/vnd.orcid+json': 'json-pretty',
  'application/orcid+json': 'json-pretty',
  'application/json': 'json',
};

const ORCID_TYPES = new Set([
  'application/vnd.orcid+xml',
  'application/orcid+xml',
  'application/vnd.orcid+json',
  'application/orcid+json',
]);

export const mediaTypeOf = (header: string | undefined): string =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Picks the response type. A missing Accept or `* / *` takes the request's Content-Type when it
 * is an ORCID type, else ORCID's XML (SPEC 6.3). Returns null when nothing acceptable (406).
 */
export function negotiate(accept: string | undefined, contentType: string | undefined): Negotiated | null {
  const ranges = (accept ?? '')
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type ?? '', q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.type !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  if (!accept?.trim() || (ranges.length > 0 && ranges.every((r) => r.type === '*/*'))) {
    const ct = mediaTypeOf(contentType);
    const type = ORCID_TYPES.has(ct) ? ct : 'application/vnd.orcid+xml';
    return { format: FORMATS[type]!, mediaType: type };
  }
  for (const r of ranges) {
    if (FORMATS[r.type]) return { format: FORMATS[r.type]!, mediaType: r.type };
    if (r.type === '*/*' || r.type === 'application/*')
      return { format: 'xml', mediaType: 'application/vnd.orcid+xml' };
  }
  return null;
}

/** The wire format of a request body, or null when the Content-Type is not one the API reads (415). */
export function bodyFormat(contentType: string | undefined): 'xml' | 'json' | null {
  const f = FORMATS[mediaTypeOf(contentType)];
  return f === undefined ? null : f === 'xml' ? 'xml' : 'json';
}
