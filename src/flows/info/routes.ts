// The footer's information pages. «Identifiant oublié» and «Mot de passe oublié» are journeys of their own
// (src/flows/recovery). The legal pages publish the operator's facts from the configuration (src/config-legal.ts)
// and the retention of each kind of data from the settings the service runs with (retention.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import { renderView } from '../../http/views.js';
import { retentionLines } from './retention.js';
import { preferUiLocales, tr } from '../../i18n/request-language.js';

/** Each page's view and the catalogue key of its title. */
const PAGES: Record<string, { view: string; title: string }> = {
  '/aide': { view: 'info/aide', title: 'common:footer.help' },
  '/accessibilite': { view: 'info/accessibilite', title: 'info:accessibility.title' },
  '/mentions-legales': { view: 'info/mentions-legales', title: 'common:footer.legalNotice' },
  '/donnees-personnelles': { view: 'info/donnees-personnelles', title: 'common:footer.personalData' },
};

const UID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The sign-in these pages were opened from (`?interaction=UID`, from the login page and its footer), when it is
 * still waiting: only then is «Revenir à la connexion» offered, and the uid is echoed only once it has been found.
 */
async function signInInProgress(provider: () => Provider, ctx: Context): Promise<string | undefined> {
  const uid = ctx.query.interaction;
  if (typeof uid !== 'string' || !UID.test(uid)) return undefined;
  const interaction = await provider().Interaction.find(uid);
  if (!interaction) return undefined;
  preferUiLocales(interaction.params.ui_locales);
  return uid;
}

export function mountInfoRoutes(router: Router, deps: { provider: () => Provider; config: Config }): void {
  const legal = deps.config.legal;
  for (const [path, page] of Object.entries(PAGES)) {
    router.get(path, async (ctx) => {
      const uid = await signInInProgress(deps.provider, ctx);
      ctx.type = 'html';
      ctx.body = renderView(page.view, {
        title: tr('common:pageTitle', { page: tr(page.title) }),
        back: uid ? `/interaction/${uid}` : undefined,
        // The footer of this page keeps the way back too.
        signInUid: uid,
        legal,
        retention: retentionLines(deps.config),
      });
    });
  }
}
