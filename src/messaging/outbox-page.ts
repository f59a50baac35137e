// /dev/outbox: shows a developer the SMS and mail the outbox transport kept instead of sending, newest first.
// Never mounted in production (404 there), like the outbox transport it shows, and answered only to requests from
// this machine: a development server listening on every interface must not hand its codes to the network.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { notFound } from '../http/app-error.js';
import { renderView } from '../http/views.js';
import { smsEncoding, smsSegments } from './gsm7.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { currentLanguage, tr } from '../i18n/request-language.js';

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

const when = (at: Date) => new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' }).format(at);

function viewModel(entry: OutboxEntry) {
  const at = new Date(entry.at);
  const shown = Number.isNaN(at.getTime()) ? entry.at : when(at);
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

const isLoopback = (address: string | undefined) =>
  !!address && (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1' || /^::ffff:127\./i.test(address));

/**
 * From this machine: the connection itself, the client address Koa sees (the forwarded one behind TRUST_PROXY),
 * and every address a proxy forwarded (a local proxy in front of a development server relays strangers too).
 */
export function isLocalRequest(ctx: Pick<Context, 'ip' | 'get' | 'req'>): boolean {
  const forwarded = ctx.get('X-Forwarded-For').split(',').map((a) => a.trim()).filter(Boolean);
  return isLoopback(ctx.req.socket.remoteAddress) && isLoopback(ctx.ip) && forwarded.every(isLoopback) && !ctx.get('Forwarded');
}

export function mountOutboxPage(router: Router, deps: OutboxPageDeps): void {
  if (deps.env === 'production') return;
  router.get('/dev/outbox', async (ctx) => {
    // The same answer as for a page that does not exist: nothing tells a stranger there is something here.
    if (!isLocalRequest(ctx)) throw notFound();
    const entries = (await deps.outbox.list(200)).map(viewModel);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderView('dev/outbox', { title: tr('dev:outbox.title'), file: deps.outbox.file, entries });
  });
}
