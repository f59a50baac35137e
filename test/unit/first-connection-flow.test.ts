// The first connection's pure state machine: the order of the steps, the identity tries, and what the flow forgets.
import { applyIdentity, completed, emailChosen, ended, newJourney, newReminder, passwordChosen } from '../../src/flows/first-connection/flow.js';

const start = { interactionUid: 'uid1', clientName: 'Pronote', accountId: 'a1', kind: 'eleve' as const, identifiant: 'ines.garnier', letterHash: '$argon2id$…' };
const rules = { birthdateMaxTries: 3 };

describe('first connection flow', () => {
  test('password, then email, then identity, then done; the password hash is dropped once written', () => {
    let state = newJourney(start);
    expect(state.step).toBe('password');
    state = passwordChosen(state, 'hash');
    expect(state).toMatchObject({ step: 'email', passwordHash: 'hash' });
    state = emailChosen(state, null, []);
    expect(state).toMatchObject({ step: 'identity', email: null, emailDone: true });
    const outcome = applyIdentity(state, true, rules);
    expect(outcome.kind).toBe('confirmed');
    expect(completed(outcome.state, 'none')).toMatchObject({ step: 'done', passwordHash: null, mail: 'none' });
  });

  test('the third wrong answer ends the journey and forgets the new password', () => {
    let state = emailChosen(passwordChosen(newJourney(start), 'hash'), 'x@example.org', []);
    const first = applyIdentity(state, false, rules);
    expect(first).toMatchObject({ kind: 'wrong', triesLeft: 2 });
    state = first.state;
    const second = applyIdentity(state, false, rules);
    expect(second).toMatchObject({ kind: 'wrong', triesLeft: 1 });
    const third = applyIdentity(second.state, false, rules);
    expect(third.kind).toBe('ended');
    expect(third.state).toMatchObject({ step: 'ended', endReason: 'birthdates', passwordHash: null, birthdateFailures: 3 });
  });

  test('a reminder is the done page alone, with no letter', () => {
    expect(newReminder({ ...start, email: 'x@example.org' })).toMatchObject({ step: 'done', purpose: 'reminder', letterHash: null, email: 'x@example.org' });
    expect(ended(newJourney(start), 'letter_used')).toMatchObject({ step: 'ended', endReason: 'letter_used' });
  });
});
