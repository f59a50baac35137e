// «Mon compte» → «Connexion avec FranceConnect» (/compte/franceconnect): whether the account is linked, and unlinking,
// which is refused while the account has no password (it would be left with no way in).
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AuditTrail } from '../../audit/trail.js';
import type { Db } from '../../store/database.js';
import { showScreen } from '../common/journey-http.js';
import type { SignedInAccount } from '../account/guard.js';
import { linkOf, removeLink } from './links.js';
import { formatDay } from '../../i18n/dates.js';
import { tr } from '../../i18n/request-language.js';

export const UNLINK_PATH = '/compte/franceconnect';

export function mountUnlinkRoutes(router: Router, deps: { guard: Middleware; db: Db; issuer: string; label: string; audit?: AuditTrail }): void {
  const show = async (ctx: Context, notice?: string, status = 200) => {
    const account = ctx.state.account as SignedInAccount;
    const link = await linkOf(deps.db, account.id, deps.issuer);
    showScreen(ctx, {
      view: 'account/franceconnect',
      locals: {
        title: tr('common:pageTitle', { page: tr('account:pageTitle', { page: tr('account:upstream.heading', { label: deps.label }) }) }),
        csrf: ctx.state.csrf as string,
        section: 'informations',
        account,
        label: deps.label,
        // In the page's language: «depuis le 2 décembre 2026», «since December 2, 2026».
        linkedSince: link ? formatDay(new Date(link.createdAt)) : null,
        canUnlink: Boolean(link?.hasPassword),
        notice,
      },
    }, status);
  };

  router.get(UNLINK_PATH, deps.guard, async (ctx) => show(ctx));

  router.post(UNLINK_PATH, deps.guard, async (ctx) => {
    const account = ctx.state.account as SignedInAccount;
    const outcome = await removeLink(deps.db, account.id, deps.issuer);
    if (outcome === 'removed') {
      deps.audit?.record({ kind: 'federation.unlinked', outcome: 'success', accountId: account.id, address: ctx.ip });
      return show(ctx, tr('account:upstream.unlinked', { label: deps.label }));
    }
    // No password: the page says why and what to do; nothing linked: the page says so.
    return show(ctx, undefined, outcome === 'no_password' ? 409 : 200);
  });
}
