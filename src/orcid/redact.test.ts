import { describe, expect, it } from 'vitest';
import { redactHeaders, redactText, redactUrl } from './redact.js';

describe('redaction', () => {
  it('removes tokens from JSON token responses, keeping the rest', () => {
    const body = JSON.stringify({
      access_token: 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728',
      token_type: 'bearer',
      refresh_token: 'f725f747-3a65-49f6-a231-3e8944ce464d',
      expires_in: 631138518,
      scope: '/read-limited',
      orcid: '0000-0002-1825-0097',
      id_token: 'eyJhbGciOi.eyJzdWIi.sig',
    });
    const r = redactText(body)!;
    for (const secret of ['f5af9f51', 'f725f747', 'eyJhbGciOi']) expect(r).not.toContain(secret);
    expect(r).toContain('"orcid":"0000-0002-1825-0097"');
    expect(r).toContain('"scope":"/read-limited"');
  });

  it('removes secrets from forms, query strings, error texts and Authorization headers', () => {
    expect(redactText('client_id=APP-1&client_secret=s3cret&grant_type=authorization_code&code=Ab12Cd')).toBe(
      'client_id=APP-1&client_secret=[redacted]&grant_type=authorization_code&code=[redacted]',
    );
    expect(redactUrl('https://api.orcid.org/v3.0/x/record?access_token=abc')).toBe(
      'https://api.orcid.org/v3.0/x/record?access_token=[redacted]',
    );
    expect(
      redactText('{"error":"invalid_token","error_description":"Invalid access token: 1234-abcd"}'),
    ).not.toContain('1234-abcd');
    expect(redactText('Authorization: Bearer 1234-abcd')).not.toContain('1234-abcd');
    expect(redactText('{"error_description":"Reused authorization code: u4yoEn"}')).toBe(
      '{"error_description":"Reused authorization code: [redacted]"}',
    );
    expect(redactText('Invalid refresh token: 9f1c-22')).not.toContain('9f1c');
    // An ORCID inbox request carries its OAuth state in a URL inside JSON: the rest stays JSON.
    const request = JSON.stringify({
      'authorization-url': {
        uri: 'https://orcid.org/oauth/authorize?client_id=APP-1&state=s3cretState&scope=/read-limited',
      },
      'notification-subject': 'x',
    });
    expect(JSON.parse(redactText(request)!)).toEqual({
      'authorization-url': {
        uri: 'https://orcid.org/oauth/authorize?client_id=APP-1&state=[redacted]&scope=/read-limited',
      },
      'notification-subject': 'x',
    });
    expect(redactHeaders({ Authorization: 'Bearer x', accept: 'application/json' })).toEqual({
      Authorization: '[redacted]',
      accept: 'application/json',
    });
  });

  it("removes a webhook callback's token from registration URLs and texts", () => {
    const token = 'Qk9Fv2m1_3Zz-abcdefghijklmnopqrstuvwxyz0123';
    const url = `https://api.orcid.org/0000-0002-1825-0097/webhook/${encodeURIComponent(`https://lanyard.example.edu/hooks/orcid/${token}`)}`;
    expect(redactUrl(url)).toBe(
      `https://api.orcid.org/0000-0002-1825-0097/webhook/${encodeURIComponent('https://lanyard.example.edu/hooks/orcid/')}[redacted]`,
    );
    expect(redactText(`Webhook uri: https://lanyard.example.edu/hooks/orcid/${token} is bad`)).not.toContain(
      token,
    );
  });
});
