// The activation screens over HTTP: /activation and its steps, a flow id in a signed httpOnly cookie, each step
// answered by a redirect to /activation (which shows the current step) or by the same form with its errors.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError, withNext } from '../../http/app-error.js';
import { pageExpired } from '../../http/interaction.js';
import { systemClock, type Clock } from '../../clock.js';
import type { Activation } from './activation.js';
import { formBody, resumeSignIn, showScreen } from '../common/journey-http.js';
import { FLOW_ID_PATTERN } from './flow-store.js';
import type { FlowState } from './flow.js';
import { checkBirthdates, checkCode, checkIdentity, checkPasswordFields, type FieldError } from './input.js';
import {
  childrenScreen, codeScreen, doneScreen, endedScreen, identityScreen, passwordScreen, refusalMessage, restartHref, smsFailureMessage,
  type CodeNextStep, type ScreenBase,
} from './screens.js';
import type { SmsFailureKind } from '../../messaging/sms-sender.js';
import { tr } from '../../i18n/request-language.js';

/** SMS failures whose sentence tells the parent to choose «Renvoyer le code» (screens.ts). */
const RESEND_HELPS = new Set<SmsFailureKind>(['unsubscribed', 'rate_limited', 'unavailable']);

const EXPIRED_CODE = () => tr('activation:errors.codeExpired');
const EXPIRED_LAST_CODE = () => tr('activation:errors.lastCodeExpired');
/** The same, said before anything was typed (the page reached again after the code's time). */
const EXPIRED_NOTICE = () => tr('activation:notice.codeExpired');
const EXPIRED_LAST_NOTICE = () => tr('activation:notice.lastCodeExpired');

const COOKIE = 'sesame.activation';
const UID = /^[A-Za-z0-9_-]{1,64}$/;
/** How long «Continuer vers <application>» stays possible once the done page was shown. */
const CONTINUE_SECONDS = 600;
const continuePath = (uid: string) => `/interaction/${encodeURIComponent(uid)}/activation`;

export interface ActivationRoutesDeps {
  activation: Activation;
  provider: () => Provider;
  https: boolean;
  flowTtlSeconds: number;
  /** Steps that may send an SMS never answer faster than this, so a match (SMS sent) and a miss look alike. */
  minResponseMs: number;
  /** Whose time pads those answers (tests inject one to see the deadline asked for). */
  clock?: Clock;
}

const flowExpired = () =>
  withNext(
    new AppError('activation_expired', 400, tr('activation:errors.flowExpired'), 'activation flow not found or expired'),
    { href: restartHref(null), label: tr('activation:restart') },
  );

/**
 * Runs `work` and answers no sooner than `ms` after it started: a match and a miss wait for the same deadline, so
 * the lookup and the queueing of an SMS (which itself leaves after the answer) do not show in the response time.
 */
async function atLeast<T>(clock: Clock, ms: number, work: () => Promise<T>): Promise<T> {
  const deadline = clock.now() + ms;
  const result = await work();
  await clock.sleepUntil(deadline);
  return result;
}

export function mountActivationRoutes(router: Router, deps: ActivationRoutesDeps): void {
  const { activation } = deps;
  const clock = deps.clock ?? systemClock;
  const cookieOptions = (maxAgeSeconds: number) =>
    ({ signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: maxAgeSeconds * 1000 }) as const;
  const codeMinutes = Math.max(1, Math.round(activation.settings.codeTtlSeconds / 60));

  const flowId = (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id && FLOW_ID_PATTERN.test(id) ? id : undefined;
  };
  const base = (ctx: Context, clientName: string | null, errors?: FieldError[]): ScreenBase => ({
    csrf: ctx.state.csrf as string,
    clientName,
    ...(errors ? { errors } : {}),
  });
  /** The code step's errors, led by the SMS that could not be sent (recorded by the queue after step 1). */
  const codeBase = (ctx: Context, state: FlowState, errors: FieldError[] = []): ScreenBase => {
    const failure = smsFailureMessage(state.sms);
    return base(ctx, state.clientName, failure ? [{ field: '', message: failure }, ...errors] : errors);
  };

  /** What the code page offers first: a new code once the last one expired or could not leave (screens.ts). */
  const codeNextStep = (state: FlowState, expired: boolean): CodeNextStep => {
    const failed = state.sms?.status === 'failed' && RESEND_HELPS.has(state.sms.failure ?? 'unavailable');
    if (!expired && !failed) return 'code';
    return state.codesSent < activation.settings.maxCodes ? 'resend' : 'restart';
  };
  const codePage = (ctx: Context, state: FlowState, errors: FieldError[], extra: { notice?: string; expired?: boolean } = {}) => {
    const expired = extra.expired ?? activation.codeExpired(state);
    // Reached again (reload, back) after the code's time: the page says so before the parent types anything.
    const notice = extra.notice ?? (expired && errors.length === 0 ? (codeNextStep(state, true) === 'resend' ? EXPIRED_NOTICE() : EXPIRED_LAST_NOTICE()) : undefined);
    return codeScreen(codeBase(ctx, state, errors), { codeMinutes, interactionUid: state.interactionUid, notice, nextStep: codeNextStep(state, expired) });
  };

  /** The flow of this browser, or «expirée» for a step posted without one. */
  async function currentFlow(ctx: Context): Promise<{ id: string; state: FlowState }> {
    const id = flowId(ctx);
    const state = id ? await activation.load(id) : undefined;
    if (!id || !state) throw flowExpired();
    return { id, state };
  }

  /**
   * The sign-in named by `uid`, for the header («pour accéder à Pronote») and for later. oidc-provider scopes its
   * interaction cookie to /interaction/<uid>, so it cannot be checked here: it is checked when «Continuer» posts to
   * /interaction/<uid>/activation, where the browser does send it.
   */
  async function interactionFor(ctx: Context, uid: unknown): Promise<{ uid: string; clientName: string | null } | null> {
    if (uid === undefined || uid === '') return null;
    if (typeof uid !== 'string' || !UID.test(uid)) throw pageExpired();
    const provider = deps.provider();
    const interaction = await provider.Interaction.find(uid);
    if (!interaction) throw pageExpired();
    const client = await provider.Client.find(String(interaction.params.client_id));
    return { uid, clientName: client?.clientName ?? null };
  }

  /**
   * The done and ended pages are shown once: on a shared computer the next person must not find them (nor finish the
   * sign-in) by going back to /activation. When a sign-in waits, the flow id stays only under the path «Continuer»
   * posts to, for a few minutes.
   */
  function endFlowCookie(ctx: Context, interactionUid: string | null): void {
    ctx.cookies.set(COOKIE, null, { signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true });
    const id = flowId(ctx);
    if (!interactionUid || !id) return;
    ctx.cookies.set(COOKIE, id, {
      // Not `overwrite`: that would drop the clearing of the path-wide cookie just above (same name).
      ...cookieOptions(Math.min(deps.flowTtlSeconds, CONTINUE_SECONDS)), path: continuePath(interactionUid), overwrite: false,
    });
  }

  async function showStep(ctx: Context, state: FlowState, extra: { notice?: string } = {}): Promise<void> {
    const b = base(ctx, state.clientName);
    switch (state.step) {
      case 'code':
        return showScreen(ctx, codePage(ctx, state, [], extra));
      case 'children':
        return showScreen(ctx, childrenScreen(b, await activation.children(state)));
      case 'password':
        return showScreen(ctx, passwordScreen(b));
      case 'done':
        endFlowCookie(ctx, state.interactionUid);
        return showScreen(ctx, doneScreen(b, state.identifiant!, state.interactionUid, state.clientName ?? 'le service'));
      case 'ended':
        endFlowCookie(ctx, null);
        return showScreen(ctx, endedScreen(b, state.endReason!, state.identifiant, state.interactionUid));
    }
  }

  const backToStep = (ctx: Context) => {
    ctx.status = 303;
    ctx.redirect('/activation');
  };

  router.get('/activation', async (ctx) => {
    const asked = ctx.query.interaction;
    const interaction = await interactionFor(ctx, asked);
    const id = flowId(ctx);
    const state = id && ctx.query.nouveau === undefined ? await activation.load(id) : undefined;
    // A flow in progress is shown again (reload, back button, restart) unless another sign-in asks for a new start.
    if (state && (asked === undefined || state.interactionUid === interaction?.uid)) return showStep(ctx, state);
    showScreen(ctx, identityScreen(base(ctx, interaction?.clientName ?? null), {}, interaction?.uid ?? null));
  });

  router.post('/activation', async (ctx) => {
    const form = formBody(ctx);
    const interaction = await interactionFor(ctx, form.interaction);
    const clientName = interaction?.clientName ?? null;
    const checked = checkIdentity(form);
    if (!checked.ok) return showScreen(ctx, identityScreen(base(ctx, clientName, checked.errors), checked.kept, interaction?.uid ?? null), 400);

    const outcome = await atLeast(clock, deps.minResponseMs, () =>
      activation.start(checked.value, { address: ctx.ip, interactionUid: interaction?.uid ?? null, clientName }),
    );

    if ('kind' in outcome) {
      const refusal = refusalMessage(outcome);
      if (refusal.retryAfter) ctx.set('Retry-After', String(refusal.retryAfter));
      const values = { family_name: checked.value.familyName, given_name: checked.value.givenName, mobile: String(form.mobile ?? '') };
      return showScreen(ctx, identityScreen(base(ctx, clientName, [{ field: '', message: refusal.message }]), values, interaction?.uid ?? null), refusal.status);
    }
    // The cookie lives no longer than the flow it names (created just now, for flowTtlSeconds).
    ctx.cookies.set(COOKIE, outcome.flowId, cookieOptions(deps.flowTtlSeconds));
    backToStep(ctx);
  });

  router.post('/activation/code', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'code') return backToStep(ctx);
    const checked = checkCode(formBody(ctx));
    if (!checked.ok) return showScreen(ctx, codePage(ctx, state, checked.errors), 400);
    const outcome = await activation.checkCode(id, checked.value);
    if (!outcome) throw flowExpired();
    if (outcome.kind === 'expired') {
      const message = codeNextStep(outcome.state, true) === 'resend' ? EXPIRED_CODE() : EXPIRED_LAST_CODE();
      return showScreen(ctx, codePage(ctx, outcome.state, [{ field: 'code', message }], { expired: true }), 400);
    }
    if (outcome.kind === 'wrong') {
      const tries = tr('common:journey.triesLeft', { count: outcome.triesLeft });
      return showScreen(ctx, codePage(ctx, outcome.state, [{ field: 'code', message: `${tr('common:journey.codeWrong')} ${tries}` }]), 400);
    }
    backToStep(ctx);
  });

  router.post('/activation/renvoyer', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'code') return backToStep(ctx);
    const outcome = await atLeast(clock, deps.minResponseMs, () => activation.resend(id, ctx.ip));
    if (outcome === 'gone') return backToStep(ctx);
    if (outcome === 'sent') {
      const fresh = (await activation.load(id)) ?? state;
      return showScreen(ctx, codePage(ctx, fresh, [], { expired: false, notice: tr('activation:notice.newCodeSent') }));
    }
    const refusal = refusalMessage(outcome);
    if (refusal.retryAfter) ctx.set('Retry-After', String(refusal.retryAfter));
    showScreen(ctx, codePage(ctx, state, [{ field: '', message: refusal.message }]), refusal.status);
  });

  router.post('/activation/enfants', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'children') return backToStep(ctx);
    const children = await activation.children(state);
    const checked = checkBirthdates(formBody(ctx), children.length);
    if (!checked.ok) return showScreen(ctx, childrenScreen(base(ctx, state.clientName, checked.errors), children, checked.kept), 400);
    const outcome = await activation.checkBirthdates(id, checked.value);
    if (!outcome) throw flowExpired();
    if (outcome.kind === 'wrong') {
      const tries = tr('common:journey.triesLeft', { count: outcome.triesLeft });
      const errors = outcome.wrong.map((n) => ({
        field: `birthdate_${n}`,
        message: `${tr('common:journey.birthdateWrong')} ${tries}`,
      }));
      const kept = Object.fromEntries(children.map((_, i) => [`birthdate_${i + 1}`, String(formBody(ctx)[`birthdate_${i + 1}`] ?? '')]));
      return showScreen(ctx, childrenScreen(base(ctx, state.clientName, errors), children, kept), 400);
    }
    backToStep(ctx);
  });

  router.post('/activation/mot-de-passe', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'password') return backToStep(ctx);
    const checked = checkPasswordFields(formBody(ctx));
    if (!checked.ok) return showScreen(ctx, passwordScreen(base(ctx, state.clientName, checked.errors)), 400);
    const outcome = await activation.choosePassword(id, checked.value);
    if (outcome.kind === 'gone') throw flowExpired();
    if (outcome.kind === 'refused') return showScreen(ctx, passwordScreen(base(ctx, state.clientName, [{ field: 'password', message: outcome.message }])), 400);
    backToStep(ctx);
  });

  // «Continuer vers Pronote»: back to the sign-in this activation started from (journey-http.ts).
  router.post('/interaction/:uid/activation', async (ctx) => {
    const { state } = await currentFlow(ctx);
    // The code sent by SMS to the mobile the school knows is what proved the person (RFC 8176 «sms»).
    const finished = { done: state.step === 'done', interactionUid: state.interactionUid, accountId: state.accountId, amr: ['sms'] };
    // The flow id kept under the sign-in's path has done its one job.
    if (finished.done && finished.interactionUid === ctx.params.uid) ctx.cookies.set(COOKIE, null, { ...cookieOptions(0), path: continuePath(ctx.params.uid) });
    await resumeSignIn(deps.provider(), ctx, finished);
  });
}
