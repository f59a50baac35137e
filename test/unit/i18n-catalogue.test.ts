// The message catalogue (src/i18n/): English says everything French says, with the same variables and the plural
// forms English needs; an académie's folder adds a language (right-to-left included) and what it lacks falls back
// to French with a warning; a broken file stops the start; every SMS in a Latin-script language is GSM-7; and
// language negotiation picks what exists.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogueError, flatten, loadCatalogue, PACKAGED_LOCALES_DIR, problemsOf, variablesOf } from '../../src/i18n/catalogue.js';
import { fromAcceptLanguage, fromUiLocales } from '../../src/i18n/negotiate.js';
import { isGsm7, smsSegments } from '../../src/messaging/gsm7.js';
import { accountExistsSms, activationCodeSms, identifiantReminderSms, passwordChangedSms } from '../../src/messaging/sms-texts.js';
import { NAME_PART_MAX } from '../../src/accounts/identifiants.js';
import { readdirSync, readFileSync } from 'node:fs';
import { runInLanguage } from '../../src/i18n/request-language.js';
import { activationLinkMail } from '../../src/messaging/mail-texts.js';

function packaged(lang: string): Map<string, string> {
  const dir = path.join(PACKAGED_LOCALES_DIR, lang);
  const namespaces = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -5), JSON.parse(readFileSync(path.join(dir, f), 'utf8'))]));
  return flatten(namespaces);
}

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sesame-locales-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('message catalogue', () => {
  const fr = packaged('fr');
  const en = packaged('en');

  test('English has every French key, with the same variables and the plural forms English needs', () => {
    expect(problemsOf(fr, 'en', en)).toEqual([]);
  });

  test('English has no key French lacks (French is the reference), and no empty text', () => {
    const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
    const frenchBases = new Set([...fr.keys()].map(base));
    expect([...en.keys()].filter((k) => !frenchBases.has(base(k)))).toEqual([]);
    expect([...fr, ...en].filter(([, text]) => !text.trim()).map(([k]) => k)).toEqual([]);
  });

  test('every French plural has _one and _other, with the same variables', () => {
    for (const key of fr.keys()) {
      const m = /^(.*)_(one|other)$/.exec(key);
      if (!m) continue;
      expect([key, fr.has(`${m[1]}_one`) && fr.has(`${m[1]}_other`)]).toEqual([key, true]);
      expect([key, variablesOf(fr.get(`${m[1]}_one`) ?? '')]).toEqual([key, variablesOf(fr.get(`${m[1]}_other`) ?? '')]);
    }
  });

  test('French and English are the languages; French is left to right; an académie adds Arabic, right to left, French where it lacks', () => {
    const warnings: string[] = [];
    const extra = folder({ 'ar/common.json': { language: { name: 'العربية' }, skipLink: 'انتقل إلى المحتوى' } });
    const cat = loadCatalogue({ extraDir: extra, warn: (m) => warnings.push(m) });
    expect(cat.languages).toEqual(['fr', 'ar', 'en']);
    expect(cat.dir('fr')).toBe('ltr');
    expect(cat.dir('ar')).toBe('rtl');
    expect(cat.t('ar', 'common:skipLink')).toBe('انتقل إلى المحتوى');
    expect(cat.t('ar', 'login:title')).toBe('Connexion');
    expect(cat.nameOf('ar')).toBe('العربية');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/language ar is incomplete \(\d+ problems\), French is shown instead for: [a-z-]+:\S+ is missing/);
    // Arabic needs six plural forms: each is named.
    const problems = problemsOf(packaged('fr'), 'ar', flatten({ common: { language: { name: 'العربية' } } }));
    expect(problems).toEqual(expect.arrayContaining(['login:title is missing', 'errors:tooManyAttempts_two is missing', 'errors:tooManyAttempts_few is missing']));
  });

  test('the packaged languages load without a warning', () => {
    const warnings: string[] = [];
    loadCatalogue({ warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
  });

  test('a broken file or a folder not named after a language stops the start with a clear error', () => {
    expect(() => loadCatalogue({ extraDir: folder({ 'de/common.json': '{ not json' }) })).toThrow(CatalogueError);
    expect(() => loadCatalogue({ extraDir: folder({ 'de/common.json': '{ not json' }) })).toThrow(/de\/common\.json is not valid JSON/);
    expect(() => loadCatalogue({ extraDir: folder({ 'de/common.json': { a: 3 } }) })).toThrow(/must be an object of texts/);
    expect(() => loadCatalogue({ extraDir: folder({ 'deutsch/common.json': {} }) })).toThrow(/not named after a language/);
    expect(() => loadCatalogue({ extraDir: '/nonexistent/locales' })).toThrow(/is not a folder/);
  });

  test('a variable a translation forgets is reported', () => {
    const extra = folder({ 'de/errors.json': { tooManyAttempts_one: 'Zu viele Versuche.', tooManyAttempts_other: 'Zu viele Versuche: {{count}} Minuten.' } });
    const warnings: string[] = [];
    loadCatalogue({ extraDir: extra, warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/errors:tooManyAttempts_one should use \{\{count\}\}/);
  });

  test('pluralises by count in each language', () => {
    const cat = loadCatalogue();
    expect(cat.t('fr', 'errors:tooManyAttempts', { count: 1 })).toBe('Trop de tentatives. Réessayez dans 1 minute.');
    expect(cat.t('fr', 'errors:tooManyAttempts', { count: 15 })).toBe('Trop de tentatives. Réessayez dans 15 minutes.');
    expect(cat.t('en', 'errors:tooManyAttempts', { count: 1 })).toBe('Too many tries. Try again in 1 minute.');
    expect(cat.t('en', 'errors:tooManyAttempts', { count: 2 })).toBe('Too many tries. Try again in 2 minutes.');
  });

  test('interpolation does not escape (pug escapes what it prints: no double escaping)', () => {
    expect(loadCatalogue().t('en', 'logout:backTo', { name: 'A & B <Lycée>' })).toBe('Go back to A & B <Lycée>');
  });
});

describe('language negotiation', () => {
  const available = ['fr', 'en'];
  test('ui_locales: the first available, by exact tag or primary language', () => {
    expect(fromUiLocales('en', available)).toBe('en');
    expect(fromUiLocales('de-DE en-GB fr', available)).toBe('en');
    expect(fromUiLocales('de', available)).toBeUndefined();
    expect(fromUiLocales(['en'], available)).toBeUndefined();
    expect(fromUiLocales('x'.repeat(1000), available)).toBeUndefined();
  });
  test('Accept-Language: by quality, then order; * and q=0 ignored', () => {
    expect(fromAcceptLanguage('en-US,en;q=0.9', available)).toBe('en');
    expect(fromAcceptLanguage('de;q=1, fr;q=0.4, en;q=0.8', available)).toBe('en');
    expect(fromAcceptLanguage('en;q=0, fr', available)).toBe('fr');
    expect(fromAcceptLanguage('*', available)).toBeUndefined();
    expect(fromAcceptLanguage('', available)).toBeUndefined();
    expect(fromAcceptLanguage(';;;,,q=', available)).toBeUndefined();
  });
});

describe('SMS in every language', () => {
  const LONGEST = `${'a'.repeat(NAME_PART_MAX)}.${'b'.repeat(NAME_PART_MAX)}999`;
  const cat = loadCatalogue();
  // A language written in the Latin script (its own name says so) can always be said in GSM-7; Arabic cannot.
  const latin = cat.languages.filter((lang) => /^[\p{Script=Latin}\s-]+$/u.test(cat.nameOf(lang)));

  test('the packaged languages are all written in the Latin script', () => {
    expect(latin).toEqual(cat.languages);
  });

  test.each(latin)('%s: every SMS is GSM-7 and one segment, even with the longest identifiant', (lang) => {
    for (const text of [activationCodeSms('482913', 10, lang), activationCodeSms('482913', 1, lang), accountExistsSms(LONGEST, lang), identifiantReminderSms(LONGEST, lang), passwordChangedSms(lang)]) {
      expect({ lang, text, gsm7: isGsm7(text) }).toEqual({ lang, text, gsm7: true });
      expect(smsSegments(text)).toBe(1);
    }
  });

  test('the English code SMS', () => {
    expect(activationCodeSms('482913', 10, 'en')).toBe('Sésame: your code is 482913. It expires in 10 minutes. Do not give it to anyone.');
    expect(activationCodeSms('482913', 10)).toBe('Sésame : votre code est 482913. Il expire dans 10 minutes. Ne le communiquez à personne.');
  });
});

describe('mail in the request’s language', () => {
  test('an English request gets an English mail, text and HTML, <html lang="en">', () => {
    const mail = runInLanguage({ lang: 'en', explicit: true, fromUiLocales: false, here: '/' }, () =>
      activationLinkMail({ link: 'https://sesame.example/activation?t=1', validHours: 1, schoolName: 'Collège <Jean> Moulin' }));
    expect(mail.subject).toBe('Activate your Sésame account');
    expect(mail.text).toMatch(/^Hello,\n\nTo activate your Sésame account, open this link:\nhttps:\/\/sesame.example\/activation\?t=1\n\nThis link works for 1 hour, only once\./);
    expect(mail.html).toContain('<html lang="en">'.replace('>', ' dir="ltr">'));
    expect(mail.html).toContain('the school Collège &#60;Jean&#62; Moulin gave this address');
    const french = activationLinkMail({ link: 'https://sesame.example/a', validHours: 48 });
    expect(french.subject).toBe('Activez votre compte Sésame');
    expect(french.text).toContain('Ce lien fonctionne pendant 48 heures, une seule fois.');
  });
});
