// «Mes enfants» over HTTP (/compte/enfants), behind the «Mon compte» guard: the list, the wrong-attachment report
// (confirm, then POST), and «Ajouter des élèves depuis un autre compte» (the other account's credentials checked
// like a sign-in, a confirmation listing the children that move, then the merge). docs/account-children.md.
import type { AuditTrail } from '../../audit/trail.js';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../../http/app-error.js';
import type { AccountChild } from '../../directory/account-children.js';
import type { AccountMerge } from '../../directory/account-merge.js';
import type { AttachmentReports } from '../../directory/attachment-reports.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import type { AccountKind } from '../../store/schema.js';
import type { Db } from '../../store/database.js';
import { FLOW_ID_PATTERN, newFlowId, type FlowStores } from '../common/flow-store.js';
import { keep, text } from '../common/form-input.js';
import { formBody, showScreen } from '../common/journey-http.js';
import type { createSignIn } from '../login/sign-in.js';
import { readDeviceCookie } from '../login/device-cookie.js';
import {
  ADD_CONFIRM_PATH, ADD_PATH, addConfirmScreen, addDoneScreen, addExpiredScreen, addScreen, childrenScreen, mergeRefusal,
  parentsOnlyScreen, PATH, REPORT_PATH, reportConfirmScreen, reportDoneScreen, unknownChildScreen,
} from './children-screens.js';

/** What the «Mon compte» guard (src/flows/account/guard.ts) leaves for the pages behind it. */
export interface SignedInAccount {
  id: string;
  kind: AccountKind;
}

export interface AccountChildrenDeps {
  /** Sets `ctx.state.account` for a signed-in account, or answers itself (sign-in) when there is none. */
  guard: Middleware;
  db: Db;
  children(accountId: string): Promise<AccountChild[]>;
  reports: AttachmentReports;
  merge: AccountMerge;
  signIn: ReturnType<typeof createSignIn>;
  endAccountSessions: EndAccountSessions;
  audit: Pick<AuditTrail, 'record'>;
  logger: Logger;
  https: boolean;
  flowStores: FlowStores;
}

/** The verified other account, between its credentials and the confirmation (10 minutes, single use). */
interface PendingMerge {
  survivorId: string;
  otherId: string;
  identifiant: string;
  used: boolean;
}

const COOKIE = 'sesame.ajout-eleves';
const MERGE_TTL_SECONDS = 600;

const account = (ctx: Context): SignedInAccount => ctx.state.account as SignedInAccount;
const csrf = (ctx: Context): string => ctx.state.csrf as string;

/** Pages for parents only: anyone else gets the page saying so, and nothing is read or changed. */
const parentsOnly: Middleware = async (ctx, next) => {
  if (account(ctx)?.kind !== 'responsable') return showScreen(ctx, parentsOnlyScreen(csrf(ctx)), ctx.method === 'GET' ? 200 : 403);
  await next();
};

/** The child the account is shown whose id the form or link carries; undefined for anything else, huge or malformed. */
async function chosenChild(deps: AccountChildrenDeps, ctx: Context, value: unknown): Promise<AccountChild | undefined> {
  if (typeof value !== 'string' || value.length > 36) return undefined;
  return (await deps.children(account(ctx).id)).find((c) => c.pupilId === value.toLowerCase());
}

export function mountAccountChildren(router: Router, deps: AccountChildrenDeps): void {
  const guarded = [deps.guard, parentsOnly] as const;

  router.get(PATH, ...guarded, async (ctx) => {
    showScreen(ctx, childrenScreen(csrf(ctx), await deps.children(account(ctx).id)));
  });

  router.get(REPORT_PATH, ...guarded, async (ctx) => {
    const child = await chosenChild(deps, ctx, ctx.query.eleve);
    if (!child) return showScreen(ctx, unknownChildScreen(csrf(ctx)), 404);
    showScreen(ctx, reportConfirmScreen(csrf(ctx), child));
  });

  router.post(REPORT_PATH, ...guarded, async (ctx) => {
    const child = await chosenChild(deps, ctx, formBody(ctx).eleve);
    if (!child) return showScreen(ctx, unknownChildScreen(csrf(ctx)), 404);
    const outcome = await deps.reports.report(account(ctx).id, child.pupilId);
    if (outcome.kind === 'not_linked') return showScreen(ctx, unknownChildScreen(csrf(ctx)), 404);
    if (outcome.kind === 'recorded') {
      deps.logger.info({ accountId: account(ctx).id, pupilId: child.pupilId, uai: child.uai }, 'wrong attachment reported');
      deps.audit.record({ kind: 'attachment.reported', outcome: 'success', accountId: account(ctx).id, address: ctx.ip, details: { ids: { pupil: child.pupilId, uai: child.uai } } });
    }
    showScreen(ctx, reportDoneScreen(csrf(ctx), child, outcome));
  });

  mountMergeRoutes(router, deps, guarded);
}

function mountMergeRoutes(router: Router, deps: AccountChildrenDeps, guarded: readonly Middleware[]): void {
  const pending = deps.flowStores<PendingMerge>({ kind: 'account-merge', ttlSeconds: MERGE_TTL_SECONDS });
  const flowId = (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id && FLOW_ID_PATTERN.test(id) ? id : undefined;
  };
  /** The pending merge of this browser for the signed-in account, if still live and unused. */
  const current = async (ctx: Context) => {
    const id = flowId(ctx);
    const state = id ? await pending.load(id) : undefined;
    return id && state && !state.used && state.survivorId === account(ctx).id ? { id, state } : undefined;
  };

  router.get(ADD_PATH, ...guarded, (ctx) => showScreen(ctx, addScreen(csrf(ctx), {})));

  router.post(ADD_PATH, ...guarded, async (ctx) => {
    const form = formBody(ctx);
    const username = keep(text(form, 'username'), 100);
    const refuse = (message: string, status: number, field = '') => showScreen(ctx, addScreen(csrf(ctx), { username }, [{ field, message }]), status);
    let other;
    try {
      // The same throttling and neutral answers as the sign-in: this form must not be a way round them.
      other = await deps.signIn({ username: form.username, password: form.password }, ctx.ip, readDeviceCookie(ctx));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 429) ctx.set('Retry-After', String(err.retryAfterSeconds ?? 60));
      if (err.code === 'provisional_expired') return refuse(mergeRefusal('provisional'), 400);
      const field = err.code !== 'invalid_credentials' ? '' : username.trim() ? 'password' : 'username';
      return refuse(err.userMessage, err.status, field);
    }
    if (other.kind !== 'account') return refuse(mergeRefusal('provisional'), 400);
    const preview = await deps.merge.preview(account(ctx).id, other.account.id);
    if (!preview.ok) return refuse(mergeRefusal(preview.reason), 400);
    const id = newFlowId();
    await pending.create(id, { survivorId: account(ctx).id, otherId: other.account.id, identifiant: other.account.identifiant, used: false });
    ctx.cookies.set(COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: MERGE_TTL_SECONDS * 1000 });
    ctx.status = 303;
    ctx.redirect(ADD_CONFIRM_PATH);
  });

  router.get(ADD_CONFIRM_PATH, ...guarded, async (ctx) => {
    const flow = await current(ctx);
    if (!flow) return showScreen(ctx, addExpiredScreen(csrf(ctx)), 400);
    const preview = await deps.merge.preview(flow.state.survivorId, flow.state.otherId);
    if (!preview.ok) return showScreen(ctx, addScreen(csrf(ctx), {}, [{ field: '', message: mergeRefusal(preview.reason) }]), 400);
    showScreen(ctx, addConfirmScreen(csrf(ctx), flow.state.identifiant, preview.children));
  });

  router.post(ADD_CONFIRM_PATH, ...guarded, async (ctx) => {
    const flow = await current(ctx);
    // Spent before the merge: a double click or a replayed form merges once at most.
    const claimed = flow && (await pending.update(flow.id, async (state) => ({ state: { ...state, used: true }, result: state.used ? undefined : state })));
    if (!claimed) return showScreen(ctx, addExpiredScreen(csrf(ctx)), 400);
    ctx.cookies.set(COOKIE, null, { signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true });
    const outcome = await deps.merge.merge(claimed.survivorId, claimed.otherId);
    if (!outcome.ok) return showScreen(ctx, addScreen(csrf(ctx), {}, [{ field: '', message: mergeRefusal(outcome.reason) }]), 400);
    deps.logger.info({ accountId: claimed.survivorId, disabledAccountId: claimed.otherId, guardiansMoved: outcome.guardiansMoved }, 'accounts merged');
    deps.audit.record({ kind: 'account.merged', outcome: 'success', accountId: claimed.survivorId, address: ctx.ip, details: { ids: { disabled: claimed.otherId }, count: outcome.guardiansMoved } });
    // Also under the account merged away, so that its owner's record (and the school's audit query) shows it.
    deps.audit.record({ kind: 'account.merged', outcome: 'success', accountId: claimed.otherId, address: ctx.ip, details: { ids: { into: claimed.survivorId }, count: outcome.guardiansMoved } });
    try {
      // Relying parties hear (back-channel logout) that the other account's sessions ended; its tokens die.
      await deps.endAccountSessions(claimed.otherId);
    } catch (err) {
      // The merge stands: the account is disabled, so no new token is issued for it; the failure is for operators.
      deps.logger.error({ err, accountId: claimed.otherId }, 'ending the sessions of a merged account failed');
    }
    showScreen(ctx, addDoneScreen(csrf(ctx), claimed.identifiant, outcome.children));
  });
}
