// «Mot de passe oublié» and «Identifiant oublié» over HTTP. A flow id in a signed httpOnly cookie, each step answered
// by a redirect to /mot-de-passe-oublie (the current step) or the same form with its errors. Answers that may send
// something are padded to one deadline on the injected clock, so a match and a miss take the same time.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { systemClock, type Clock } from '../../clock.js';
import { AppError } from '../../http/app-error.js';
import { FLOW_ID_PATTERN } from '../common/flow-store.js';
import type { FieldError } from '../common/form-input.js';
import { formBody, interactionFor, resumeSignIn, showScreen } from '../common/journey-http.js';
import type { ScreenBase } from '../common/screen.js';
import type { FlowState } from './flow.js';
import type { ForgottenIdentifiant } from './forgotten-identifiant.js';
import { checkCode, checkForgotten, checkIdentifiant, checkPasswordFields } from './input.js';
import type { Recovery, Refusal } from './recovery.js';
import {
  codeScreen, doneScreen, endedScreen, forgottenScreen, forgottenSentScreen, IDENTIFIANT_PATH, linkScreen, passwordScreen, PATH,
  refusalMessage, startScreen,
} from './screens.js';
import { tr } from '../../i18n/request-language.js';

const COOKIE = 'sesame.mot-de-passe-oublie';
/** How long «Continuer vers <application>» stays possible once the done page was shown. */
const CONTINUE_SECONDS = 600;
const continuePath = (uid: string) => `/interaction/${encodeURIComponent(uid)}/mot-de-passe-oublie`;

export interface RecoveryRoutesDeps {
  recovery: Recovery;
  forgotten: ForgottenIdentifiant;
  provider: () => Provider;
  https: boolean;
  flowTtlSeconds: number;
  /** Answers that may send a code, a link or an identifiant never come sooner than this. */
  minResponseMs: number;
  clock?: Clock;
}

/**
 * The sign-in a link or form names, or none: a stale or forged one must not keep anyone from recovering, so it is
 * dropped (the journey then ends on «se connecter» instead of going back to it).
 */
async function softInteraction(provider: Provider, uid: unknown): Promise<{ uid: string; clientName: string | null } | null> {
  try {
    return await interactionFor(provider, uid);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

const flowExpired = () =>
  new AppError('recovery_expired', 400, tr('recovery:errors.flowExpired'), 'recovery flow not found or expired');

/** Runs `work` and answers no sooner than `ms` after it started (the same deadline for a match and a miss). */
async function atLeast<T>(clock: Clock, ms: number, work: () => Promise<T>): Promise<T> {
  const deadline = clock.now() + ms;
  const result = await work();
  await clock.sleepUntil(deadline);
  return result;
}

export function mountRecoveryRoutes(router: Router, deps: RecoveryRoutesDeps): void {
  const { recovery } = deps;
  const clock = deps.clock ?? systemClock;
  const linkMinutes = Math.max(1, Math.round(recovery.settings.emailLinkTtlSeconds / 60));
  const cookieOptions = (maxAgeSeconds: number) =>
    ({ signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: maxAgeSeconds * 1000 }) as const;
  const base = (ctx: Context, clientName: string | null, errors?: FieldError[]): ScreenBase => ({ csrf: ctx.state.csrf as string, clientName, ...(errors ? { errors } : {}) });
  const flowId = (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id && FLOW_ID_PATTERN.test(id) ? id : undefined;
  };
  const backToStep = (ctx: Context) => {
    ctx.status = 303;
    ctx.redirect(PATH);
  };
  const code = (ctx: Context, state: FlowState, errors: FieldError[] = [], notice?: string) =>
    codeScreen(base(ctx, state.clientName, errors), recovery.codeMinutes, linkMinutes, state.interactionUid, notice);

  async function currentFlow(ctx: Context): Promise<{ id: string; state: FlowState }> {
    const id = flowId(ctx);
    const state = id ? await recovery.load(id) : undefined;
    if (!id || !state) throw flowExpired();
    return { id, state };
  }

  /**
   * The done and ended pages are shown once: on a shared computer the next person must not find them (nor finish the
   * sign-in) by going back. When a sign-in waits, the flow id stays only under the path «Continuer» posts to.
   */
  function endFlowCookie(ctx: Context, interactionUid: string | null): void {
    const id = flowId(ctx);
    ctx.cookies.set(COOKIE, null, { signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true });
    if (!interactionUid || !id) return;
    ctx.cookies.set(COOKIE, id, { ...cookieOptions(Math.min(deps.flowTtlSeconds, CONTINUE_SECONDS)), path: continuePath(interactionUid), overwrite: false });
  }

  function showStep(ctx: Context, state: FlowState): void {
    switch (state.step) {
      case 'code':
        return showScreen(ctx, code(ctx, state));
      case 'password':
        return showScreen(ctx, passwordScreen(base(ctx, state.clientName), state.identifiant));
      case 'done':
        endFlowCookie(ctx, state.interactionUid);
        return showScreen(ctx, doneScreen(base(ctx, state.clientName), state.interactionUid, state.clientName));
      case 'ended':
        endFlowCookie(ctx, null);
        return showScreen(ctx, endedScreen(base(ctx, state.clientName), state.interactionUid));
    }
  }

  function refuse(ctx: Context, refusal: Refusal, render: (errors: FieldError[]) => Parameters<typeof showScreen>[1]): void {
    const { status, message, retryAfter } = refusalMessage(refusal);
    if (retryAfter) ctx.set('Retry-After', String(retryAfter));
    showScreen(ctx, render([{ field: '', message }]), status);
  }

  router.get(PATH, async (ctx) => {
    const asked = ctx.query.interaction;
    const interaction = await softInteraction(deps.provider(), asked);
    const id = flowId(ctx);
    const state = id && ctx.query.nouveau === undefined ? await recovery.load(id) : undefined;
    // A recovery in progress is shown again (reload, back button) unless another sign-in asks for a new start.
    if (state && (asked === undefined || state.interactionUid === interaction?.uid)) return showStep(ctx, state);
    showScreen(ctx, startScreen(base(ctx, interaction?.clientName ?? null), {}, interaction?.uid ?? null));
  });

  router.post(PATH, async (ctx) => {
    const form = formBody(ctx);
    const interaction = await softInteraction(deps.provider(), form.interaction);
    const clientName = interaction?.clientName ?? null;
    const uid = interaction?.uid ?? null;
    const checked = checkIdentifiant(form);
    if (!checked.ok) return showScreen(ctx, startScreen(base(ctx, clientName, checked.errors), checked.kept, uid), 400);
    const outcome = await atLeast(clock, deps.minResponseMs, () => recovery.start(checked.value, ctx.ip, { interactionUid: uid, clientName }));
    if ('kind' in outcome) return refuse(ctx, outcome, (errors) => startScreen(base(ctx, clientName, errors), { identifiant: checked.value }, uid));
    ctx.cookies.set(COOKIE, outcome.flowId, cookieOptions(deps.flowTtlSeconds));
    backToStep(ctx);
  });

  router.post(`${PATH}/code`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'code') return backToStep(ctx);
    const checked = checkCode(formBody(ctx));
    if (!checked.ok) return showScreen(ctx, code(ctx, state, checked.errors), 400);
    const outcome = await recovery.checkCode(id, checked.value);
    if (!outcome) throw flowExpired();
    if (outcome.kind === 'wrong' || outcome.kind === 'expired') {
      const tries = tr('common:journey.triesLeft', { count: outcome.triesLeft });
      const message = outcome.kind === 'wrong'
        ? `${tr('recovery:errors.codeWrong')} ${tries}`
        : `${tr('recovery:errors.codeExpired')} ${tries}`;
      return showScreen(ctx, code(ctx, outcome.state, [{ field: 'code', message }]), 400);
    }
    backToStep(ctx);
  });

  for (const [path, act, notice] of [
    [`${PATH}/renvoyer`, recovery.resend, 'recovery:notice.resent'],
    [`${PATH}/courriel`, recovery.mailInstead, 'recovery:notice.mailed'],
  ] as const) {
    router.post(path, async (ctx) => {
      const { id, state } = await currentFlow(ctx);
      if (state.step !== 'code') return backToStep(ctx);
      const outcome = await atLeast(clock, deps.minResponseMs, () => act(id, ctx.ip));
      if (outcome === 'gone') return backToStep(ctx);
      if (outcome === 'sent') return showScreen(ctx, code(ctx, state, [], tr(notice)));
      refuse(ctx, outcome, (errors) => code(ctx, state, errors));
    });
  }

  // The mail's link: a page with a button, so that a mail scanner opening the link spends nothing.
  router.get(`${PATH}/lien`, async (ctx) => {
    const token = typeof ctx.query.jeton === 'string' ? ctx.query.jeton : '';
    const verdict = await recovery.inspectLink(token);
    if (verdict.kind === 'valid') return showScreen(ctx, linkScreen(base(ctx, verdict.clientName), 'confirm', token));
    showScreen(ctx, linkScreen(base(ctx, null), verdict.kind), verdict.kind === 'invalid' ? 404 : 410);
  });

  router.post(`${PATH}/lien`, async (ctx) => {
    const token = formBody(ctx).jeton;
    const opened = await recovery.openLink(typeof token === 'string' ? token : '');
    if (opened.kind !== 'opened') return showScreen(ctx, linkScreen(base(ctx, null), opened.kind), opened.kind === 'invalid' ? 404 : 410);
    ctx.cookies.set(COOKIE, opened.flowId, cookieOptions(deps.flowTtlSeconds));
    backToStep(ctx);
  });

  router.post(`${PATH}/mot-de-passe`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'password') return backToStep(ctx);
    const checked = checkPasswordFields(formBody(ctx));
    if (!checked.ok) return showScreen(ctx, passwordScreen(base(ctx, state.clientName, checked.errors), state.identifiant), 400);
    const outcome = await recovery.choosePassword(id, checked.value);
    if (outcome.kind === 'gone') throw flowExpired();
    if (outcome.kind === 'refused') return showScreen(ctx, passwordScreen(base(ctx, state.clientName, [{ field: 'password', message: outcome.message }]), state.identifiant), 400);
    backToStep(ctx);
  });

  // «Continuer vers Pronote»: back to the sign-in this recovery started from, signed in (journey-http.ts).
  router.post('/interaction/:uid/mot-de-passe-oublie', async (ctx) => {
    const { state } = await currentFlow(ctx);
    // A code by SMS proved the person (RFC 8176 «sms»); a mailed link has no registered value, so none is sent.
    const finished = { done: state.step === 'done', interactionUid: state.interactionUid, accountId: state.accountId, amr: state.openedByLink ? undefined : ['sms'] };
    if (finished.done && finished.interactionUid === ctx.params.uid) ctx.cookies.set(COOKIE, null, { ...cookieOptions(0), path: continuePath(ctx.params.uid) });
    await resumeSignIn(deps.provider(), ctx, finished);
  });

  mountForgottenIdentifiant(router, deps, base);
}

function mountForgottenIdentifiant(router: Router, deps: RecoveryRoutesDeps, base: (ctx: Context, clientName: string | null, errors?: FieldError[]) => ScreenBase): void {
  const clock = deps.clock ?? systemClock;
  router.get(IDENTIFIANT_PATH, async (ctx) => {
    const interaction = await softInteraction(deps.provider(), ctx.query.interaction);
    showScreen(ctx, forgottenScreen(base(ctx, interaction?.clientName ?? null), {}, interaction?.uid ?? null));
  });

  router.post(IDENTIFIANT_PATH, async (ctx) => {
    const form = formBody(ctx);
    const interaction = await softInteraction(deps.provider(), form.interaction);
    const clientName = interaction?.clientName ?? null;
    const uid = interaction?.uid ?? null;
    const checked = checkForgotten(form);
    if (!checked.ok) return showScreen(ctx, forgottenScreen(base(ctx, clientName, checked.errors), checked.kept, uid), 400);
    const outcome = await atLeast(clock, deps.minResponseMs, () => deps.forgotten(checked.value, ctx.ip));
    if (outcome.kind !== 'answered') {
      const { status, message, retryAfter } = refusalMessage(outcome);
      if (retryAfter) ctx.set('Retry-After', String(retryAfter));
      const values = { family_name: checked.value.familyName, given_name: checked.value.givenName, mobile: '', email: '' };
      return showScreen(ctx, forgottenScreen(base(ctx, clientName, [{ field: '', message }]), values, uid), status);
    }
    showScreen(ctx, forgottenSentScreen(base(ctx, clientName), uid));
  });
}
