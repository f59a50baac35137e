// /dev/outbox: shows a developer the SMS and mail the outbox transport kept instead of sending, newest first.
// Never mounted in production (404 there), like the outbox transport it shows.
import type Router from '@koa/router';
import { renderView } from '../http/views.js';
import { smsEncoding, smsSegments } from './gsm7.js';
import type { Outbox, OutboxEntry } from './outbox.js';

export interface OutboxPageDeps {
  outbox: Outbox;
  env: 'development' | 'production' | 'test';
}

type Part = { text: string } | { href: string };

/** Splits a line so that web addresses become links (pug escapes both the text and the attribute). */
function linkify(line: string): Part[] {
  return line
    .split(/(https?:\/\/[^\s<>"']+)/)
    .filter((piece) => piece !== '')
    .map((piece) => (/^https?:\/\//.test(piece) ? { href: piece } : { text: piece }));
}

/** Paragraphs (split on blank lines) of lines of parts: readable on a phone, unlike a <pre>. */
function paragraphs(text: string): Part[][][] {
  return text
    .split(/\n\s*\n/)
    .filter((p) => p.trim() !== '')
    .map((p) => p.split('\n').map(linkify));
}

const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' });

function viewModel(entry: OutboxEntry) {
  const at = new Date(entry.at);
  const shown = Number.isNaN(at.getTime()) ? entry.at : when.format(at);
  if (entry.channel === 'sms') {
    return {
      channel: 'sms',
      to: entry.to,
      at: entry.at,
      when: shown,
      encoding: smsEncoding(entry.body),
      length: [...entry.body].length,
      segments: smsSegments(entry.body),
      paragraphs: paragraphs(entry.body),
    };
  }
  return { channel: 'mail', to: entry.to, at: entry.at, when: shown, subject: entry.subject, paragraphs: paragraphs(entry.text) };
}

export function mountOutboxPage(router: Router, deps: OutboxPageDeps): void {
  if (deps.env === 'production') return;
  router.get('/dev/outbox', async (ctx) => {
    const entries = (await deps.outbox.list(200)).map(viewModel);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderView('dev/outbox', { title: 'Boîte d’envoi — Sésame', file: deps.outbox.file, entries });
  });
}
