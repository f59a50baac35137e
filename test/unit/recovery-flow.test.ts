// The recovery state machine on its own: a code opens the password step only for a flow with an account, expired
// and wrong codes spend the same tries, a link leaves the code received before working, resends wait and are counted.
import { applyCode, canResend, newFlow, sendRecorded, type FlowRules } from '../../src/flows/recovery/flow.js';

const RULES: FlowRules = { codeTtlSeconds: 600, codeMaxFailures: 5, maxCodes: 3, resendAfterSeconds: 60 };
const T = 1_000_000;
const start = (accountId: string | null) => newFlow({ interactionUid: null, clientName: null, identifiant: 'claire.moreau', accountId });

describe('recovery flow', () => {
  test('the right, live code opens the password step; with no account nothing does', () => {
    const withAccount = sendRecorded(start('a1'), 'sms', 'hash', T, RULES);
    expect(applyCode(withAccount, true, T + 1000, RULES)).toMatchObject({ kind: 'accepted', state: { step: 'password', codeHash: null } });
    const without = sendRecorded(start(null), 'none', null, T, RULES);
    expect(applyCode(without, false, T + 1000, RULES)).toMatchObject({ kind: 'wrong', triesLeft: 4 });
    // Even a forged «match» opens nothing without an account.
    expect(applyCode({ ...without, codeHash: 'x', codeExpiresAt: T + 1e6 }, true, T, RULES).kind).not.toBe('accepted');
  });

  test('an expired code spends a try and is gone; the fifth failure ends the request', () => {
    let state = sendRecorded(start('a1'), 'sms', 'hash', T, RULES);
    const late = applyCode(state, true, T + 600_000, RULES);
    expect(late).toMatchObject({ kind: 'expired', triesLeft: 4, state: { codeHash: null } });
    state = late.state;
    for (let i = 0; i < 3; i += 1) state = applyCode(state, false, T, RULES).state;
    expect(applyCode(state, false, T, RULES)).toMatchObject({ kind: 'ended', state: { step: 'ended', endReason: 'code_failures' } });
  });

  test('a link asked later leaves the code received before working; resends wait and are counted', () => {
    const coded = sendRecorded(start('a1'), 'sms', 'hash', T, RULES);
    expect(canResend(coded, T + 30_000, RULES)).toEqual({ ok: false, reason: 'too_soon', waitSeconds: 30 });
    const linked = sendRecorded(coded, 'mail', null, T + 61_000, RULES);
    expect(linked).toMatchObject({ codeHash: 'hash', codeExpiresAt: T + 600_000, sent: 'mail', sendsCount: 2 });
    const third = sendRecorded(linked, 'sms', 'hash2', T + 122_000, RULES);
    expect(canResend(third, T + 500_000, RULES)).toEqual({ ok: false, reason: 'too_many' });
  });
});
