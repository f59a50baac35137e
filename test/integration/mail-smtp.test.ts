// The mailer over real SMTP (nodemailer to an smtp-server on 127.0.0.1): what arrives, and how each refusal becomes a
// typed MailError logged once without the address.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { activationLinkMail, identifiantReminderMail } from '../../src/messaging/mail-texts.js';
import { createMailer, MailError, type Mailer } from '../../src/messaging/mailer.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

function capturingLogger() {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

function mailer(env: Record<string, string> = {}) {
  const log = capturingLogger();
  const config = loadConfig({ NODE_ENV: 'test', SMTP_URL: smtp.url, MAIL_FROM: 'Sésame <ne-pas-repondre@sesame.example>', MAIL_TIMEOUT_MS: '2000', ...env });
  return { mailer: createMailer(config, log.logger) as Mailer, ...log };
}

async function failure(m: Mailer, to: string): Promise<MailError> {
  const error: unknown = await m.send({ to, subject: 's', text: 't', html: '<p>t</p>' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailError);
  return error as MailError;
}

describe('SMTP mailer', () => {
  it('delivers the activation mail: envelope, subject, text and HTML versions', async () => {
    const { mailer: m, lines, raw } = mailer();
    const link = 'https://sesame.example/activation/lien/Zx9';
    const content = activationLinkMail({ link, validHours: 48, schoolName: 'Collège Jean Moulin' });
    const receipt = await m.send({ to: 'claire.moreau@example.org', ...content });
    const mail = smtp.mails.at(-1)!;
    expect(mail.from).toBe('ne-pas-repondre@sesame.example');
    expect(mail.to).toEqual(['claire.moreau@example.org']);
    expect(mail.subject).toBe('Activez votre compte Sésame');
    expect(mail.headers.get('message-id')).toBe(receipt.id);
    expect(mail.text).toBe(content.text);
    expect(mail.html).toBe(content.html);
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`<a href="${link}">`);
    expect(lines()).toEqual([expect.objectContaining({ msg: 'mail sent', channel: 'mail', to: 'c…@example.org' })]);
    expect(raw.join('\n')).not.toContain('claire.moreau');
  });

  it('delivers the identifiant reminder', async () => {
    const { mailer: m } = mailer();
    const content = identifiantReminderMail({ identifiant: 'marie-christine.de-la-fontaine-dupont12', loginUrl: 'https://sesame.example/' });
    await m.send({ to: 'marie@example.org', ...content });
    const mail = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('Votre identifiant Sésame');
    expect(mail.text).toContain('Votre identifiant Sésame est : marie-christine.de-la-fontaine-dupont12');
  });

  it('a recipient refused for good (550) → invalid_address, one warning line without the address', async () => {
    const { mailer: m, lines, raw } = mailer();
    const error = await failure(m, 'personne@refuse.test');
    expect(error.kind).toBe('invalid_address');
    expect(error.detail).toBe('smtp EENVELOPE 550');
    expect(lines()).toEqual([expect.objectContaining({ level: 40, msg: 'mail not sent', kind: 'invalid_address', to: 'p…@refuse.test' })]);
    expect(raw.join('\n')).not.toContain('personne@');
    expect(error.message).not.toContain('personne@');
  });

  it('a recipient refused for now (451) → unavailable', async () => {
    const { mailer: m } = mailer();
    const error = await failure(m, 'occupe@later.test');
    expect(error.kind).toBe('unavailable');
  });

  it('the message refused at DATA (554) → rejected', async () => {
    const { mailer: m } = mailer();
    smtp.rejectNextData();
    const error = await failure(m, 'parent@example.org');
    expect(error).toMatchObject({ kind: 'rejected', detail: 'smtp EMESSAGE 554' });
  });

  it('no SMTP server listening → unavailable, logged as an error', async () => {
    const other = await startSmtpServer();
    const url = other.url;
    await other.close();
    const { mailer: m, lines } = mailer({ SMTP_URL: url });
    const error = await failure(m, 'parent@example.org');
    expect(error.kind).toBe('unavailable');
    expect(lines()[0]).toMatchObject({ level: 50, kind: 'unavailable' });
  });

  it('refuses malformed or injected addresses before talking to the server', async () => {
    const { mailer: m } = mailer();
    const before = smtp.mails.length;
    for (const to of ['', 'parent', 'parent@example.org\r\nBcc: spy@example.org', 'a b@example.org', '"x"@example.org', `${'a'.repeat(250)}@example.org`]) {
      const error = await failure(m, to);
      expect(error.kind).toBe('invalid_address');
    }
    expect(smtp.mails.length).toBe(before);
  });

  it('keeps markup and header tricks in the subject and body as text', async () => {
    const { mailer: m } = mailer();
    await m.send({ to: 'parent@example.org', subject: 'Objet\r\nBcc: spy@example.org', text: 'texte <b>', html: '<p>&lt;b&gt;</p>' });
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['parent@example.org']);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.text).toBe('texte <b>');
  });
});
