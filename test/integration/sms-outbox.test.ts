// The development outbox: what the configuration allows (never in production), the JSON lines it writes (even under
// concurrency), and the /dev/outbox page of a running Sésame (escaped, newest first, 404 in production).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { visibleText } from '../support/http.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createMailer } from '../../src/messaging/mailer.js';
import { createOutbox } from '../../src/messaging/outbox.js';
import { SmsError } from '../../src/messaging/sms-sender.js';
import { createSmsSender } from '../../src/messaging/sms-transport.js';
import { activationCodeSms } from '../../src/messaging/sms-texts.js';
import { activationLinkMail } from '../../src/messaging/mail-texts.js';
import { STORES } from '../support/databases.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { STAND_IN_ENV } from '../support/twilio-stand-in.js';

const silent = pino({ level: 'silent' });
const PRODUCTION = { NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(32), ISSUER: 'https://sesame.example.org' };

describe('messaging configuration', () => {
  it('uses the outboxes by default outside production', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.sms.transport).toBe('outbox');
    expect(config.mail.transport).toBe('outbox');
  });

  it('refuses the SMS and mail outboxes in production, saying what to set', () => {
    expect(() => loadConfig({ ...PRODUCTION, SMS_TRANSPORT: 'outbox', MAIL_TRANSPORT: 'outbox' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...PRODUCTION, SMS_TRANSPORT: 'outbox', MAIL_TRANSPORT: 'outbox' })).toThrow(
      /SMS_TRANSPORT=outbox is refused in production.*MAIL_TRANSPORT=outbox is refused in production/,
    );
  });

  it('requires the Twilio and SMTP settings in production', () => {
    expect(() => loadConfig(PRODUCTION)).toThrow(
      /TWILIO_ACCOUNT_SID is required.*TWILIO_AUTH_TOKEN is required.*TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM.*SMTP_URL is required/,
    );
    const config = loadConfig({ ...PRODUCTION, ...STAND_IN_ENV, SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(config.sms).toMatchObject({ transport: 'twilio', twilio: { accountSid: STAND_IN_ENV.TWILIO_ACCOUNT_SID } });
    expect(config.mail).toMatchObject({ transport: 'smtp', smtpUrl: 'smtp://127.0.0.1:2525' });
  });

  it('checks the shape of the Twilio settings', () => {
    expect(() => loadConfig({ ...STAND_IN_ENV, TWILIO_ACCOUNT_SID: 'SK123' })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => loadConfig({ ...STAND_IN_ENV, TWILIO_MESSAGING_SERVICE_SID: '', TWILIO_FROM: 'Un nom bien trop long' })).toThrow(/TWILIO_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL/);
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).mail.transport).toBe('smtp');
  });

  it('the factories refuse a hand-built production config that asks for an outbox', () => {
    const config = { ...loadConfig({ NODE_ENV: 'test' }), env: 'production' as const };
    expect(() => createSmsSender(config, silent)).toThrow(ConfigError);
    expect(() => createMailer(config, silent)).toThrow(ConfigError);
  });
});

describe('outbox file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function transports() {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    return { sms: createSmsSender(config, silent), mailer: createMailer(config, silent), file: path.join(dir, 'outbox.jsonl') };
  }

  it('appends one JSON line per SMS and per mail', async () => {
    const { sms, mailer, file } = transports();
    const receipt = await sms.send({ to: '+33612345678', body: activationCodeSms('482913') });
    expect(receipt.id).toMatch(/^outbox-/);
    const mail = activationLinkMail({ link: 'https://sesame.example/a/1', validHours: 24 });
    await mailer.send({ to: 'parent@example.org', ...mail });
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const [first, second] = lines.map((l) => (l ? JSON.parse(l) : undefined));
    expect(first).toEqual({ channel: 'sms', to: '+33612345678', body: activationCodeSms('482913'), at: expect.any(String) });
    expect(Object.keys(first)).toEqual(['channel', 'to', 'body', 'at']);
    expect(new Date(first.at).toISOString()).toBe(first.at);
    expect(second).toEqual({ channel: 'mail', to: 'parent@example.org', subject: 'Activez votre compte Sésame', text: mail.text, at: expect.any(String) });
  });

  it('keeps every message whole under concurrency: one line each, none interleaved', async () => {
    const { sms, mailer, file } = transports();
    const big = 'x'.repeat(20000);
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        i % 3 === 0
          ? mailer.send({ to: `p${i}@example.org`, subject: `s${i}`, text: `${i}\n${big}`, html: '<p></p>' })
          : sms.send({ to: `+3361234${String(i).padStart(4, '0')}`, body: `${i}\n${big}` }),
      ),
    );
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(150);
    const numbers = lines.map((l) => {
      const entry = JSON.parse(l);
      return Number((entry.body ?? entry.text).split('\n')[0]);
    });
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('refuses what is not an E.164 number or a plain address, and writes nothing', async () => {
    const { sms, mailer, file } = transports();
    for (const to of ['', '0612345678', '+33 6 12 34 56 78', '+33612345678\n', 'x'.repeat(10000)]) {
      await expect(sms.send({ to, body: 'x' })).rejects.toMatchObject({ name: 'SmsError', kind: 'invalid_number' });
    }
    await expect(sms.send({ to: 'nope', body: 'x' })).rejects.toBeInstanceOf(SmsError);
    for (const to of ['', 'parent', 'a@b', 'p@example.org\r\nBcc: x@example.org', '<p@example.org>', `${'a'.repeat(300)}@example.org`]) {
      await expect(mailer.send({ to, subject: 's', text: 't', html: 'h' })).rejects.toMatchObject({ name: 'MailError', kind: 'invalid_address' });
    }
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists newest first and skips lines that are not entries', async () => {
    const file = path.join(dir, 'outbox.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ channel: 'sms', to: '+33600000001', body: 'premier', at: '2026-01-01T00:00:00.000Z' }),
        '{not json',
        JSON.stringify({ channel: 'fax', to: 'x', at: 'y' }),
        JSON.stringify({ channel: 'sms', to: '+33600000002', body: 'second', at: '2026-01-01T00:00:01.000Z' }),
        '',
      ].join('\n'),
    );
    const entries = await createOutbox(dir).list();
    expect(entries.map((e) => e.channel === 'sms' && e.body)).toEqual(['second', 'premier']);
    expect(await createOutbox(path.join(dir, 'missing')).list()).toEqual([]);
  });
});

describe.each(STORES)('/dev/outbox page (%s store)', (store) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame(store);
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  it('shows what core.sms and core.mailer kept, newest first, in French, everything escaped', async () => {
    const empty = await fetch(`${sesame.url}/dev/outbox`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain('Aucun message pour l’instant.');

    await sesame.sesame.sms.send({ to: '+33612345678', body: activationCodeSms('482913') });
    const mail = activationLinkMail({ link: 'https://sesame.example/activation/lien/abc', validHours: 24, schoolName: 'École <Jules Ferry>' });
    await sesame.sesame.mailer.send({ to: 'parent@example.org', ...mail });
    await sesame.sesame.sms.send({ to: '+33700000000', body: '<script>alert("x")</script> & <b>gras</b>' });

    const response = await fetch(`${sesame.url}/dev/outbox`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Boîte d’envoi de développement');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>gras');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;');
    expect(html).toContain('École &lt;Jules Ferry&gt;');
    // Newest first: the markup SMS, then the mail, then the code.
    const order = ['SMS à +33700000000', 'Courriel à parent@example.org', 'SMS à +33612345678'].map((s) => html.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('Activez votre compte Sésame');
    expect(visibleText(html)).toContain('Sésame : votre code est 482913.');
    expect(visibleText(html)).toContain('GSM-7, 88 caractère(s), 1 segment(s)');
    // The activation link can be followed from the page.
    expect(html).toContain('<a href="https://sesame.example/activation/lien/abc">https://sesame.example/activation/lien/abc</a>');
  });
});

describe('/dev/outbox in production', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ...PRODUCTION, TRUST_PROXY: 'true', ...STAND_IN_ENV, SMTP_URL: 'smtp://127.0.0.1:1' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  it('does not exist (404), like any unknown address', async () => {
    const response = await fetch(`${sesame.url}/dev/outbox`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    const unknown = await fetch(`${sesame.url}/dev/nothing-here`, { headers: { accept: 'text/html' } });
    expect(await response.text()).toBe(await unknown.text());
  });
});
