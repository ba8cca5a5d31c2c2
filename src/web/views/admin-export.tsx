// The console's data export: what it holds, the format, and the tokens (only after a recent
// sign-in, a confirmation, and if the organisation allows it).
import { AdminPage, Flash } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

export function ExportPage(props: {
  c: PageContext;
  tokensAllowed: boolean;
  signedInRecently: boolean;
  problem: string | null;
}) {
  const { c } = props;
  const { t } = c;
  const url = `${c.base}/admin/export`;
  return (
    <AdminPage c={c} title={t('console.export.title')}>
      <Flash text={props.problem} problem />
      <p>{t('console.export.intro')}</p>
      <form method="post" action={url}>
        <Hidden name="_csrf" value={c.csrf} />
        <fieldset>
          <legend>{t('console.export.format')}</legend>
          <input type="radio" id="format-csv" name="format" value="csv" checked />{' '}
          <label for="format-csv">CSV</label>{' '}
          <input type="radio" id="format-json" name="format" value="json" />{' '}
          <label for="format-json">JSON</label>
        </fieldset>
        {props.tokensAllowed ? (
          <p>
            <input type="checkbox" id="tokens" name="tokens" value="yes" />{' '}
            <label for="tokens">{t('console.export.tokens')}</label>
            <br />
            <span class="muted">
              {props.signedInRecently ? t('console.export.tokensNote') : t('console.export.tokensSignIn')}
            </span>
          </p>
        ) : (
          <p id="tokens-forbidden">{t('console.export.tokensOff')}</p>
        )}
        <p>
          <input type="checkbox" id="confirm" name="confirm" value="yes" required />{' '}
          <label for="confirm">{t('console.export.confirm')}</label>
        </p>
        <button class="btn" type="submit" id="export">
          {t('console.export.button')}
        </button>
      </form>
      {props.tokensAllowed && !props.signedInRecently ? (
        <form method="post" action={`${url}/sign-in-again`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn-secondary" type="submit" id="sign-in-again">
            {t('console.export.signInButton')}
          </button>
        </form>
      ) : null}
    </AdminPage>
  );
}
