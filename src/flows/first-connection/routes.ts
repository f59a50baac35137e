// The first connection over HTTP: /premiere-connexion and its steps, a flow id in a signed httpOnly cookie, each
// step answered by a redirect to /premiere-connexion (the current step) or by the same form with its errors. The
// sign-in hands over here (signInHandOver) and gets its account back at /interaction/<uid>/premiere-connexion.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../../accounts/accounts.js';
import { AppError } from '../../http/app-error.js';
import { formBody, resumeSignIn, showScreen } from '../common/journey-http.js';
import { FLOW_ID_PATTERN } from '../common/flow-store.js';
import { checkBirthdateFields, checkPasswordFields, keep, type FieldError } from '../common/form-input.js';
import type { ScreenBase } from '../common/screen.js';
import type { EmailLinks } from './email-links.js';
import type { FirstConnection, MailRefusal, SignInContext } from './first-connection.js';
import type { FlowState } from './flow.js';
import { checkEmail } from './input.js';
import {
  doneScreen, emailScreen, endedScreen, expiredScreen, identityScreen, letterScreen, linkScreen, mailRefusalMessage,
  passwordScreen, PATH,
} from './screens.js';
import { ProvisionalExpiredError, type createSignIn } from '../login/sign-in.js';
import { tr } from '../../i18n/request-language.js';

const COOKIE = 'sesame.premiere-connexion';

export interface FirstConnectionRoutesDeps {
  firstConnection: FirstConnection;
  links: EmailLinks;
  signIn: ReturnType<typeof createSignIn>;
  provider: () => Provider;
  https: boolean;
  flowTtlSeconds: number;
}

/** What the sign-in screen needs from here: start the journey, show the reminder, or say a letter expired. */
export interface SignInHandOver {
  begin(ctx: Context, account: Account, context: SignInContext): Promise<void>;
  remind(ctx: Context, account: Account, context: SignInContext): Promise<void>;
  expired(ctx: Context, profil: 'responsable' | 'eleve', interactionUid: string | null): void;
}

const flowExpired = () =>
  new AppError('first_connection_expired', 400, tr('first-connection:errors.flowExpired'), 'first connection flow not found or expired');


const backToStep = (ctx: Context) => {
  ctx.status = 303;
  ctx.redirect(PATH);
};

/** The routes to mount, and the hand-over the sign-in screen uses (it needs no router of its own). */
export function firstConnectionRoutes(deps: FirstConnectionRoutesDeps): { mount(router: Router): void; handOver: SignInHandOver } {
  const { firstConnection: fc } = deps;
  const base = (ctx: Context, clientName: string | null, errors?: FieldError[]): ScreenBase => ({ csrf: ctx.state.csrf as string, clientName, ...(errors ? { errors } : {}) });
  const flowId = (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id && FLOW_ID_PATTERN.test(id) ? id : undefined;
  };
  const setFlow = (ctx: Context, id: string) =>
    ctx.cookies.set(COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: deps.flowTtlSeconds * 1000 });

  async function currentFlow(ctx: Context): Promise<{ id: string; state: FlowState }> {
    const id = flowId(ctx);
    const state = id ? await fc.load(id) : undefined;
    if (!id || !state) throw flowExpired();
    return { id, state };
  }

  async function showStep(ctx: Context, state: FlowState, status = 200, extra: { notice?: string; errors?: FieldError[] } = {}): Promise<void> {
    const b = base(ctx, state.clientName, extra.errors);
    switch (state.step) {
      case 'password':
        return showScreen(ctx, passwordScreen(b, state.identifiant), status);
      case 'email':
        return showScreen(ctx, emailScreen(b, fc.emailRequired(state), { email: (await fc.currentEmail(state)) ?? '' }), status);
      case 'identity':
        return showScreen(ctx, identityScreen(b, await fc.questions(state)), status);
      case 'done': {
        const pending = await fc.awaitsLink(state);
        return showScreen(ctx, doneScreen(b, state, { pending, ...(extra.notice ? { notice: extra.notice } : {}) }), status);
      }
      case 'ended':
        return showScreen(ctx, endedScreen(b, state.endReason!, state.interactionUid), status);
    }
  }

  const handOver: SignInHandOver = {
    async begin(ctx, account, context) {
      setFlow(ctx, await fc.begin(account, context));
      backToStep(ctx);
    },
    async remind(ctx, account, context) {
      setFlow(ctx, await fc.remind(account, context));
      backToStep(ctx);
    },
    expired(ctx, profil, interactionUid) {
      const activationHref = interactionUid ? `/activation?interaction=${encodeURIComponent(interactionUid)}` : '/activation';
      showScreen(ctx, expiredScreen(base(ctx, null), profil, activationHref), 401);
    },
  };

  return { handOver, mount: (router) => mountAll(router, { deps, handOver, flowId, currentFlow, showStep, base }) };
}

interface AllDeps {
  deps: FirstConnectionRoutesDeps;
  handOver: SignInHandOver;
  flowId(ctx: Context): string | undefined;
  currentFlow: StepDeps['currentFlow'];
  showStep: StepDeps['showStep'];
  base: Base;
}

function mountAll(router: Router, { deps, handOver, flowId, currentFlow, showStep, base }: AllDeps): void {
  const { firstConnection: fc } = deps;
  router.get(PATH, async (ctx) => {
    const id = flowId(ctx);
    const state = id ? await fc.load(id) : undefined;
    if (!state) {
      ctx.status = 303;
      return ctx.redirect(`${PATH}/courrier`);
    }
    await showStep(ctx, state);
  });

  mountLetterRoutes(router, deps, handOver, base);
  mountStepRoutes(router, { fc, currentFlow, showStep, base });
  mountMailRoutes(router, { fc, currentFlow, showStep, base });
  mountLinkRoutes(router, deps, base);

  // «Continuer vers Pronote»: the sign-in that led here ends signed in, with no second login. Posted under
  // /interaction/<uid>/ so the browser sends the sign-in's own cookie: a uid copied into another browser gets nowhere.
  router.post('/interaction/:uid/premiere-connexion', async (ctx) => {
    const { state } = await currentFlow(ctx);
    // The letter's provisional password opened this journey: a password sign-in.
    await resumeSignIn(deps.provider(), ctx, { done: state.step === 'done', interactionUid: state.interactionUid, accountId: state.accountId, amr: ['pwd'] });
  });
}

type Base = (ctx: Context, clientName: string | null, errors?: FieldError[]) => ScreenBase;

interface StepDeps {
  fc: FirstConnection;
  currentFlow(ctx: Context): Promise<{ id: string; state: FlowState }>;
  showStep(ctx: Context, state: FlowState, status?: number, extra?: { notice?: string; errors?: FieldError[] }): Promise<void>;
  base: Base;
}

/** Started from the home page: the letter's identifiant and provisional password, checked like a sign-in. */
function mountLetterRoutes(router: Router, deps: FirstConnectionRoutesDeps, handOver: SignInHandOver, base: Base): void {
  router.get(`${PATH}/courrier`, (ctx) => showScreen(ctx, letterScreen(base(ctx, null), {})));
  router.post(`${PATH}/courrier`, async (ctx) => {
    const form = formBody(ctx);
    const username = keep(typeof form.username === 'string' ? form.username : '', 100);
    try {
      const outcome = await deps.signIn(form, ctx.ip);
      if (outcome.kind === 'first_connection') return handOver.begin(ctx, outcome.account, { interactionUid: null, clientName: null });
      const message = tr('first-connection:errors.notProvisional');
      return showScreen(ctx, letterScreen(base(ctx, null, [{ field: '', message }]), { username }), 400);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err instanceof ProvisionalExpiredError) return handOver.expired(ctx, err.accountKind, null);
      if (err.status === 429) ctx.set('Retry-After', String(err.retryAfterSeconds ?? 60));
      const field = err.code !== 'invalid_credentials' ? '' : username.trim() ? 'password' : 'username';
      showScreen(ctx, letterScreen(base(ctx, null, [{ field, message: err.userMessage }]), { username }), err.status);
    }
  });
}

function mountStepRoutes(router: Router, { fc, currentFlow, showStep, base }: StepDeps): void {
  router.post(`${PATH}/mot-de-passe`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'password') return backToStep(ctx);
    const checked = checkPasswordFields(formBody(ctx));
    if (!checked.ok) return showStep(ctx, state, 400, { errors: checked.errors });
    const outcome = await fc.choosePassword(id, checked.value);
    if (outcome.kind === 'gone') throw flowExpired();
    if (outcome.kind === 'refused') return showStep(ctx, state, 400, { errors: [{ field: 'password', message: outcome.message }] });
    backToStep(ctx);
  });

  router.post(`${PATH}/courriel`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'email') return backToStep(ctx);
    const required = fc.emailRequired(state);
    const form = formBody(ctx);
    const checked = form.passer !== undefined && !required ? { ok: true as const, value: null } : checkEmail(form, required);
    if (!checked.ok) return showScreen(ctx, emailScreen(base(ctx, state.clientName, checked.errors), required, checked.kept), 400);
    if ((await fc.chooseEmail(id, checked.value)) === 'gone') throw flowExpired();
    backToStep(ctx);
  });

  router.post(`${PATH}/identite`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'identity') return backToStep(ctx);
    const questions = await fc.questions(state);
    const fields = questions.map((q) => q.field);
    const checked = checkBirthdateFields(formBody(ctx), fields);
    if (!checked.ok) return showScreen(ctx, identityScreen(base(ctx, state.clientName, checked.errors), questions, checked.kept), 400);
    const outcome = await fc.confirmIdentity(id, checked.value, ctx.ip);
    if (outcome.kind === 'gone') throw flowExpired();
    if (outcome.kind === 'wrong') {
      const tries = tr('common:journey.triesLeft', { count: outcome.triesLeft });
      // Never which child's date was wrong: each date could then be guessed on its own.
      const message = fields.length === 1
        ? `${tr('common:journey.birthdateWrong')} ${tries}`
        : `${tr('first-connection:errors.someBirthdateWrong')} ${tries}`;
      const errors = [{ field: fields.length === 1 ? fields[0]! : '', message }];
      const kept = Object.fromEntries(fields.map((f) => [f, keep(String(formBody(ctx)[f] ?? ''), 20)]));
      return showScreen(ctx, identityScreen(base(ctx, state.clientName, errors), questions, kept), 400);
    }
    if (outcome.kind === 'confirmed' && 'refusal' in outcome && outcome.refusal) return showRefusal(ctx, showStep, outcome.state, outcome.refusal);
    backToStep(ctx);
  });
}

async function showRefusal(ctx: Context, showStep: StepDeps['showStep'], state: FlowState, refusal: MailRefusal): Promise<void> {
  const { status, message, retryAfter } = mailRefusalMessage(refusal);
  if (retryAfter) ctx.set('Retry-After', String(retryAfter));
  await showStep(ctx, state, status, { errors: [{ field: '', message }] });
}

/** «Renvoyer le courriel» and «Corriger l'adresse», while the address waits for its link. */
function mountMailRoutes(router: Router, { fc, currentFlow, showStep, base }: StepDeps): void {
  const answer = async (ctx: Context, id: string, outcome: MailRefusal | 'sent' | 'gone' | 'nothing', notice: string) => {
    if (outcome === 'gone') return backToStep(ctx);
    const state = await fc.load(id);
    if (!state) throw flowExpired();
    if (outcome === 'nothing') return showStep(ctx, state, 400, { errors: [{ field: '', message: tr('first-connection:errors.alreadyConfirmed') }] });
    if (outcome === 'sent') return showStep(ctx, state, 200, { notice });
    return showRefusal(ctx, showStep, state, outcome);
  };

  router.post(`${PATH}/renvoyer`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'done') return backToStep(ctx);
    await answer(ctx, id, await fc.resend(id, ctx.ip), tr('first-connection:notice.resent', { email: state.email ?? tr('first-connection:notice.yourAddress') }));
  });

  router.post(`${PATH}/corriger`, async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'done') return backToStep(ctx);
    const checked = checkEmail(formBody(ctx), true);
    if (!checked.ok) {
      const screen = doneScreen(base(ctx, state.clientName, checked.errors), state, { pending: true, values: checked.kept });
      return showScreen(ctx, screen, 400);
    }
    await answer(ctx, id, await fc.correct(id, checked.value!, ctx.ip), tr('first-connection:notice.corrected', { email: checked.value }));
  });
}

/** The link from the mail: a page with a button first (mail scanners open links; only a person presses it). */
function mountLinkRoutes(router: Router, deps: FirstConnectionRoutesDeps, base: Base): void {
  const token = (value: unknown) => (typeof value === 'string' ? value : '');
  router.get(`${PATH}/courriel/confirmer`, async (ctx) => {
    const typed = token(ctx.query.jeton);
    const verdict = await deps.links.inspect(typed);
    if (verdict.kind !== 'valid') return showScreen(ctx, linkScreen(base(ctx, null), verdict.kind), verdict.kind === 'invalid' ? 404 : 410);
    showScreen(ctx, linkScreen(base(ctx, null), 'confirm', { token: typed }));
  });
  router.post(`${PATH}/courriel/confirmer`, async (ctx) => {
    const verdict = await deps.links.confirm(token(formBody(ctx).jeton));
    if (verdict.kind !== 'valid') return showScreen(ctx, linkScreen(base(ctx, null), verdict.kind), verdict.kind === 'invalid' ? 404 : 410);
    showScreen(ctx, linkScreen(base(ctx, null), 'confirmed', { identifiant: verdict.identifiant }));
  });
}
