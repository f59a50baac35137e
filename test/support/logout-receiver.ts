// A relying party's back-channel logout endpoint on 127.0.0.1: keeps every logout_token it receives, in order.
import { createServer } from 'node:http';
import { freePort } from './sesame.js';

export interface LogoutReceiver {
  /** `http://127.0.0.1:PORT`, for BACKCHANNEL_ALLOWED_ORIGINS. */
  origin: string;
  /** The logout tokens received so far (the array is live). */
  tokens: string[];
  close(): void;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const port = await freePort();
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.writeHead(200).end();
    });
  }).listen(port, '127.0.0.1');
  return { origin: `http://127.0.0.1:${port}`, tokens, close: () => server.close() };
}
