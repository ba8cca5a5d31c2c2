import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromAcceptLanguage, LANGUAGES, pickLanguage, translator } from './i18n.js';

const keys = (lang: string) =>
  Object.keys(
    JSON.parse(readFileSync(new URL(`../../locales/${lang}.json`, import.meta.url), 'utf8')),
  ).sort();

describe('portal languages', () => {
  it('every language has every English key', () => {
    for (const lang of LANGUAGES) expect(keys(lang)).toEqual(keys('en'));
  });
  it('falls back to English, then to the default value or the key', () => {
    expect(translator('es')('no.such.key', { defaultValue: '/made-up' })).toBe('/made-up');
    expect(translator('fr')('no.such.key')).toBe('no.such.key');
  });
  it('interpolates without escaping (the views escape)', () => {
    expect(translator('fr')('signInTitle', { org: 'A&B <Univ>' })).toBe('Connexion à A&B <Univ>');
    expect(translator('es')('scope./read-limited')).toContain('Organizaciones de confianza');
  });
  it('picks ?lang, then the cookie, then Accept-Language by q, else English', () => {
    expect(fromAcceptLanguage('de-DE,fr;q=0.8,es;q=0.9')).toBe('es');
    expect(fromAcceptLanguage('de, *;q=0.5')).toBeNull();
    expect(pickLanguage('fr', 'es', 'en')).toBe('fr');
    expect(pickLanguage('xx', 'es', 'fr')).toBe('es');
    expect(pickLanguage(undefined, undefined, 'fr-CA')).toBe('fr');
    expect(pickLanguage(undefined, undefined, undefined)).toBe('en');
  });
});
