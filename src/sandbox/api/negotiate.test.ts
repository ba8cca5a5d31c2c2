import { describe, expect, it } from 'vitest';
import { bodyFormat, negotiate } from './negotiate.js';

describe('SPEC 6.3: content negotiation', () => {
  it('defaults to ORCID XML without Accept or with */*, unless the Content-Type is an ORCID type', () => {
    expect(negotiate(undefined, undefined)).toEqual({
      format: 'xml',
      mediaType: 'application/vnd.orcid+xml',
    });
    expect(negotiate('*/*', 'application/json')).toEqual({
      format: 'xml',
      mediaType: 'application/vnd.orcid+xml',
    });
    expect(negotiate('*/*', 'application/vnd.orcid+json')).toEqual({
      format: 'json-pretty',
      mediaType: 'application/vnd.orcid+json',
    });
  });

  it('honours q-values and order; JSON is compact only for application/json', () => {
    expect(negotiate('application/xml;q=0.5, application/json', undefined)?.format).toBe('json');
    expect(negotiate('application/orcid+json', undefined)?.format).toBe('json-pretty');
    expect(negotiate('text/html, application/*;q=0.1', undefined)?.format).toBe('xml');
  });

  it('returns null (406) for types the API does not produce', () => {
    expect(negotiate('image/png', undefined)).toBeNull();
    expect(negotiate('application/json;q=0', undefined)).toBeNull();
  });

  it('reads JSON and XML bodies only', () => {
    expect(bodyFormat('application/vnd.orcid+xml; charset=UTF-8')).toBe('xml');
    expect(bodyFormat('application/json')).toBe('json');
    expect(bodyFormat('text/plain')).toBeNull();
    expect(bodyFormat(undefined)).toBeNull();
  });
});
