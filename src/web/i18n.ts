// Researcher-facing text in English, Spanish and French (locales/*.json, i18next). The language
// comes from ?lang=, then the language cookie (the switcher), then Accept-Language.
import { readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';

export const LANGUAGES = ['en', 'es', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', fr: 'Français' };

const load = (lang: Language) =>
  JSON.parse(readFileSync(new URL(`../../locales/${lang}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: load(l) }])),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // Keys are plain strings ("scope./read-limited"); views escape, so i18next must not.
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
});

export type T = TFunction;

export function translator(lang: Language): T {
  return i18n.getFixedT(lang);
}

export const isLanguage = (v: unknown): v is Language =>
  typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The best of our languages for an Accept-Language header (q-values honoured). */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: (tag ?? '').trim().toLowerCase().slice(0, 2), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((x) => x.lang).find(isLanguage) ?? null;
}

export function pickLanguage(query: unknown, cookie: unknown, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  if (isLanguage(cookie)) return cookie;
  return fromAcceptLanguage(acceptLanguage) ?? 'en';
}
