// The portal's page frame: language switcher, sign-out, support contact. hono/jsx escapes every
// interpolated value; nothing here builds HTML from strings.
import type { Child } from 'hono/jsx';
import { LANGUAGE_NAMES, LANGUAGES, type Language, type T } from '../i18n.js';

const STYLE = `:root{--green:#2e7d32;--ink:#1f1f1f;--muted:#4d4d4d}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);max-width:48rem;margin:0 auto;padding:0 1rem;line-height:1.5}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:center;border-bottom:3px solid #a6ce39;padding:.8rem 0}
header .org{font-weight:700;font-size:1.1rem}nav.lang a{margin-left:.5rem}
a{color:#0b5394}button{font:inherit;cursor:pointer}
body.wide{max-width:76rem}.console-nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.6rem 0}.scroll{overflow-x:auto}.scroll:focus{outline:2px solid #0b5394}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}.filters label{display:block}
.btn{background:var(--green);color:#fff;border:0;border-radius:4px;padding:.55rem 1rem}
.btn-secondary{background:#fff;color:var(--ink);border:1px solid #767676;border-radius:4px;padding:.45rem .9rem}
.orcid-button{display:inline-flex;align-items:center;gap:.6rem;background:#fff;color:#333;border:1px solid #767676;border-radius:4px;padding:.55rem 1rem;font-weight:600}
.orcid-id{display:inline-flex;align-items:center;gap:.4rem;font-family:ui-monospace,monospace}
.flash{background:#e8f5e9;border-left:4px solid var(--green);padding:.6rem .9rem}
.problem{background:#fdecea;border-left:4px solid #b3261e;padding:.6rem .9rem}
.muted{color:var(--muted)}label{display:block;margin:.7rem 0 .2rem}.check{margin:.4rem 0}.check label{display:inline;margin:0}
input[type=text],input[type=password]{font:inherit;padding:.45rem;width:100%;max-width:24rem;box-sizing:border-box}
section{margin:1.5rem 0}footer{border-top:1px solid #ddd;margin-top:2rem;padding:1rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}`;

/** ORCID's iD icon (display guidelines: the icon next to the full iD URI). */
/** With `alt` the icon is an image; without, decoration beside its own text. */
export function OrcidIcon(props: { size?: number; alt?: string }) {
  const size = props.size ?? 24;
  const shapes = (
    <>
      <circle cx="128" cy="128" r="128" fill="#A6CE39" />
      <rect x="70" y="80" width="18" height="110" fill="#fff" />
      <circle cx="79" cy="58" r="12" fill="#fff" />
      <path
        d="M108 80h44c34 0 56 23 56 55s-22 55-56 55h-44zM126 96v78h25c24 0 39-16 39-39s-15-39-39-39z"
        fill="#fff"
      />
    </>
  );
  return props.alt ? (
    <svg width={size} height={size} viewBox="0 0 256 256" focusable="false" role="img" aria-label={props.alt}>
      <title>{props.alt}</title>
      {shapes}
    </svg>
  ) : (
    <svg width={size} height={size} viewBox="0 0 256 256" focusable="false" aria-hidden="true">
      {shapes}
    </svg>
  );
}

/** An authenticated iD as ORCID's guidelines want it: icon + full https URI, hyperlinked. */
export function OrcidId(props: { registry: string; orcid: string; t: T }) {
  const uri = `${props.registry}/${props.orcid}`;
  return (
    <a class="orcid-id" href={uri} rel="noopener" target="_blank">
      <OrcidIcon size={20} alt={props.t('orcidIconAlt')} />
      <span>{uri}</span>
    </a>
  );
}

export function Hidden(props: { name: string; value: string }) {
  return <input type="hidden" name={props.name} value={props.value} />;
}

export function Layout(props: {
  title: string;
  lang: Language;
  t: T;
  org: string;
  base: string;
  path: string;
  /** The footer's support contact (none on the operator's pages). */
  supportContact?: string;
  signedIn?: { csrf: string } | null;
  /** Wider pages for the console's tables. */
  wide?: boolean;
  children: Child;
}) {
  const { t } = props;
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} | ${props.org}`}</title>
        <style>{STYLE}</style>
      </head>
      <body class={props.wide ? 'wide' : undefined}>
        <a class="skip" href="#main">
          {t('skip')}
        </a>
        <header>
          <span class="org">{props.org}</span>
          <nav class="lang" aria-label={t('language')}>
            {LANGUAGES.map((l) =>
              l === props.lang ? (
                <strong lang={l} aria-current="true">
                  {' '}
                  {LANGUAGE_NAMES[l]}
                </strong>
              ) : (
                <a lang={l} href={`${props.path}?lang=${l}`}>
                  {LANGUAGE_NAMES[l]}
                </a>
              ),
            )}
          </nav>
          {props.signedIn ? (
            <form method="post" action={`${props.base}/signout`}>
              <Hidden name="_csrf" value={props.signedIn.csrf} />
              <button class="btn-secondary" type="submit">
                {t('signOut')}
              </button>
            </form>
          ) : null}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {props.supportContact ? (
          <footer class="muted">{t('support', { contact: props.supportContact })}</footer>
        ) : null}
      </body>
    </html>
  );
}
