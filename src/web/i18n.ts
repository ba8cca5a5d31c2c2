// Researcher-facing text in English, Spanish and French (locales/*.json). The language comes
// from ?lang=, then the language cookie (the switcher), then Accept-Language.
//
// A small translator rather than i18next: all we need is a key lookup with
// English as fallback and {{name}} interpolation, and i18next's per-call work was about a tenth
// of the portal page's CPU time under load (npm run bench -- portal).
import { readFileSync } from 'node:fs';

export const LANGUAGES = ['en', 'es', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', fr: 'Français' };

const load = (lang: Language) =>
  JSON.parse(readFileSync(new URL(`../../locales/${lang}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;

const RESOURCES = Object.fromEntries(LANGUAGES.map((l) => [l, load(l)])) as Record<
  Language,
  Record<string, string>
>;

/** Translates a key; values fill {{name}} placeholders (views escape, so nothing is escaped here). */
export type T = (key: string, values?: Record<string, string> & { defaultValue?: string }) => string;

function makeTranslator(lang: Language): T {
  const own = RESOURCES[lang];
  const en = RESOURCES.en;
  return (key, values) => {
    const text = own[key] ?? en[key] ?? values?.defaultValue ?? key;
    if (!values || !text.includes('{{')) return text;
    return text.replace(/\{\{(\w+)\}\}/g, (m, name: string) => values[name] ?? m);
  };
}

const TRANSLATORS = Object.fromEntries(LANGUAGES.map((l) => [l, makeTranslator(l)])) as Record<Language, T>;

export function translator(lang: Language): T {
  return TRANSLATORS[lang];
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
