// Every SMS Sésame sends stays in GSM-7 and in one segment, even with the longest identifiant we hand out; and the
// check itself notices a single character that would switch a message to UCS-2. The mails say what SCREENS.md asks.
import { NAME_PART_MAX } from '../../src/accounts/identifiants.js';
import { isGsm7, smsEncoding, smsSegments } from '../../src/messaging/gsm7.js';
import { activationLinkMail, identifiantReminderMail } from '../../src/messaging/mail-texts.js';
import { accountExistsSms, activationCodeSms, identifiantReminderSms, passwordChangedSms } from '../../src/messaging/sms-texts.js';

const REALISTIC = 'marie-christine.de-la-fontaine-dupont12';
// Both name parts at their maximum, and a homonym number in the hundreds.
const LONGEST = `${'a'.repeat(NAME_PART_MAX)}.${'b'.repeat(NAME_PART_MAX)}999`;

const templates: [string, (id: string) => string][] = [
  ['activation code', () => activationCodeSms('482913')],
  ['account already exists', accountExistsSms],
  ['identifiant reminder', identifiantReminderSms],
  ['password changed (recovery)', () => passwordChangedSms()],
];

describe('SMS templates', () => {
  it('sends the activation code exactly as SCREENS.md words it', () => {
    expect(activationCodeSms('482913')).toBe('Sésame : votre code est 482913. Il expire dans 10 minutes. Ne le communiquez à personne.');
  });

  it.each(templates)('%s: GSM-7, at most 160 characters, one segment, even with the longest identifiants', (_name, template) => {
    for (const identifiant of [REALISTIC, LONGEST]) {
      const text = template(identifiant);
      expect(isGsm7(text)).toBe(true);
      expect([...text].length).toBeLessThanOrEqual(160);
      expect(smsSegments(text)).toBe(1);
    }
  });

  it('gives the identifiant and the way to reset the password when the account already exists', () => {
    const text = accountExistsSms(REALISTIC);
    expect(text).toContain(REALISTIC);
    expect(text).toContain('"Mot de passe oublié"');
    expect(text).toContain('page de connexion');
    expect(text).not.toMatch(/\d{6}/); // no code in this one
  });

  it('gives the identifiant in the reminder', () => {
    expect(identifiantReminderSms(REALISTIC)).toContain(`identifiant est ${REALISTIC}.`);
  });
});

describe('GSM-7 check', () => {
  it('accepts the French letters of the GSM-7 alphabet', () => {
    expect(isGsm7('é è à ù É Ç ì ò')).toBe(true);
    expect(isGsm7('Prix : 10€ [tarif] {x} ~ ^ | \\')).toBe(true); // extension table
  });

  it.each(['ê', 'â', 'î', 'ô', 'û', 'ë', 'ï', 'œ', 'ç', '’', '‘', '“', '”', '«', '»', '…', '–', '\u00a0', '😀'])(
    'a single %j switches a template to UCS-2 and more than one segment',
    (ch) => {
      const text = `${accountExistsSms(REALISTIC)}${ch}`;
      expect(isGsm7(text)).toBe(false);
      expect(smsEncoding(text)).toBe('UCS-2');
      expect(smsSegments(text)).toBeGreaterThan(1);
    },
  );

  it('counts segments at 160/153 septets in GSM-7 and 70/67 units in UCS-2', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('€'.repeat(80))).toBe(1); // two septets each
    expect(smsSegments('€'.repeat(81))).toBe(2);
    expect(smsSegments('ê'.repeat(70))).toBe(1);
    expect(smsSegments('ê'.repeat(71))).toBe(2);
    expect(smsSegments('😀'.repeat(35))).toBe(1); // two UTF-16 units each
    expect(smsSegments('😀'.repeat(36))).toBe(2);
    // An escaped pair is never split: 152 letters then one € cannot fit the first 153-septet part.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toBe(3);
  });
});

describe('mail templates', () => {
  const link = 'https://sesame.example.fr/activation/lien/abc123';

  it('activation: the subject, the link and the address spelled out, who sends it and why, what if it was not you', () => {
    const mail = activationLinkMail({ link, validHours: 48, schoolName: 'Collège Jean Moulin' });
    expect(mail.subject).toBe('Activez votre compte Sésame');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(link);
      expect(body).toContain('Collège Jean Moulin');
      expect(body).toContain('48 heures');
      expect(body).toMatch(/Sésame, le service de connexion/);
      expect(body).toMatch(/pas à l’origine de cette demande, ignorez ce message/);
    }
    expect(mail.html).toContain(`<a href="${link}">Activer mon compte Sésame</a>`);
    expect(mail.html).toContain('copiez cette adresse dans votre navigateur');
    expect(mail.html).toContain('lang="fr"');
  });

  it('escapes markup in everything put into the HTML version', () => {
    const mail = activationLinkMail({ link: 'https://x.example/a?b=1&c="><script>', validHours: 1, schoolName: '<b>École</b>' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&#60;b&#62;École&#60;/b&#62;');
    expect(mail.html).toContain('b=1&#38;c=&#34;&#62;');
    expect(mail.text).toContain('1 heure,');
  });

  it('identifiant reminder: the identifiant, the login page, the password way, and what if it was not you', () => {
    const mail = identifiantReminderMail({ identifiant: REALISTIC, loginUrl: 'https://sesame.example.fr/' });
    expect(mail.subject).toBe('Votre identifiant Sésame');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(REALISTIC);
      expect(body).toContain('https://sesame.example.fr/');
      expect(body).toContain('« Mot de passe oublié »');
      expect(body).toMatch(/pas à l’origine de cette demande/);
    }
  });
});
