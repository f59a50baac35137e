// The activation state machine and the readings of what a parent types, without a server: tries, expiry, resend
// timing, the end of a flow, and the birth-date and mobile forms people actually type.
import { applyBirthdates, applyCode, canResend, childrenFound, codeIssued, newFlow, type FlowRules } from '../../src/flows/activation/flow.js';
import { readBirthdate } from '../../src/flows/activation/input.js';
import { readMobile } from '../../src/flows/activation/mobile-number.js';

const RULES: FlowRules = { codeTtlSeconds: 600, codeMaxFailures: 5, maxCodes: 3, resendAfterSeconds: 60, birthdateMaxTries: 3 };
const T0 = 1_800_000_000_000;
const start = () =>
  codeIssued(newFlow({ interactionUid: null, clientName: null, familyName: 'Moreau', givenName: 'Claire', mobile: '+33612345678', guardianIds: ['g'], delivery: 'code' }), 'hash', T0, RULES);

test('the right code within 10 minutes moves on and is spent; after 10 minutes any code is expired and costs no try', () => {
  const ok = applyCode(start(), true, T0 + 599_000, RULES);
  expect(ok).toMatchObject({ kind: 'accepted', state: { step: 'children', codeHash: null } });
  for (const matches of [true, false]) {
    const late = applyCode(start(), matches, T0 + 600_000, RULES);
    expect(late).toEqual({ kind: 'expired', state: start() });
  }
});

test('a flow with nothing sent expires at the same moment, so a stranger sees what a parent sees', () => {
  const none = codeIssued(newFlow({ ...start(), guardianIds: [], delivery: 'none' }), null, T0, RULES);
  expect(applyCode(none, false, T0 + 599_000, RULES).kind).toBe('wrong');
  expect(applyCode(none, false, T0 + 600_000, RULES).kind).toBe('expired');
});

test('five wrong codes end the flow, each one saying the tries left', () => {
  let state = start();
  const left: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    const outcome = applyCode(state, false, T0, RULES);
    if (outcome.kind !== 'wrong') throw new Error(outcome.kind);
    left.push(outcome.triesLeft);
    state = outcome.state;
  }
  expect(left).toEqual([4, 3, 2, 1]);
  expect(applyCode(state, false, T0, RULES)).toMatchObject({ kind: 'ended', state: { step: 'ended', endReason: 'code_failures' } });
});

test('a flow without a code (nothing matched) never accepts one', () => {
  const none = codeIssued(newFlow({ ...start(), guardianIds: [], delivery: 'none' }), null, T0, RULES);
  expect(applyCode(none, false, T0, RULES).kind).toBe('wrong');
});

test('resend waits 60 s and stops at 3 codes', () => {
  expect(canResend(start(), T0 + 30_000, RULES)).toEqual({ ok: false, reason: 'too_soon', waitSeconds: 30 });
  let state = start();
  expect(canResend(state, T0 + 60_000, RULES)).toEqual({ ok: true });
  state = codeIssued(codeIssued(state, 'h2', T0 + 60_000, RULES), 'h3', T0 + 120_000, RULES);
  expect(canResend(state, T0 + 999_000, RULES)).toEqual({ ok: false, reason: 'too_many' });
});

test('birth dates: limited tries, then the end; no children at all ends the flow too', () => {
  let state = childrenFound(applyCode(start(), true, T0, RULES).state, ['c1']);
  const first = applyBirthdates(state, false, RULES);
  expect(first).toMatchObject({ kind: 'wrong', triesLeft: 2 });
  state = first.state;
  state = applyBirthdates(state, false, RULES).state;
  expect(applyBirthdates(state, false, RULES)).toMatchObject({ kind: 'ended', state: { endReason: 'birthdates' } });
  expect(childrenFound(start(), [])).toMatchObject({ step: 'ended', endReason: 'no_children' });
});

test.each([
  ['14/03/2015', '2015-03-14'],
  ['4/3/2015', '2015-03-04'],
  ['14-03-2015', '2015-03-14'],
  ['14.03.2015', '2015-03-14'],
  [' 14 03 2015 ', '2015-03-14'],
  ['14032015', '2015-03-14'],
  ['2015-03-14', '2015-03-14'],
  ['29/02/2016', '2016-02-29'],
  ['29/02/2015', undefined],
  ['31/04/2015', undefined],
  ['14/13/2015', undefined],
  ['14/03/15', undefined],
  ['14/03/1850', undefined],
  ['', undefined],
])('birth date %j reads as %s', (typed, iso) => {
  expect(readBirthdate(typed)).toBe(iso);
});

test.each([
  ['06 12 34 56 78', '+33612345678'],
  ['+33 6 12 34 56 78', '+33612345678'],
  ['0033612345678', '+33612345678'],
  ['07.81.23.45.67', '+33781234567'],
  ['0692 12 34 56', '+262692123456'],
])('mobile %j reads as %s', (typed, e164) => {
  expect(readMobile(typed)).toEqual({ ok: true, e164 });
});

test('a landline and gibberish are told apart', () => {
  expect(readMobile('01 23 45 67 89')).toEqual({ ok: false, reason: 'not_mobile' });
  expect(readMobile('12')).toEqual({ ok: false, reason: 'invalid' });
});
