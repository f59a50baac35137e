// The demo relying parties' own sessions, in memory (a demo RP keeps nothing across restarts). The browser holds
// only a random id in an httpOnly cookie; the tokens stay here. Back-channel logout finds sessions by Sésame's
// session id (sid) or, failing that, by subject.
import { randomBytes } from 'node:crypto';

export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

export interface SignedInUser {
  sub: string;
  /** Sésame's session id from the ID token: what a back-channel logout token names. */
  sid: string | undefined;
  idToken: string;
  claims: Record<string, unknown>;
}

export interface RpSession {
  id: string;
  expiresAt: number;
  pending?: PendingSignIn | undefined;
  user?: SignedInUser | undefined;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(options: { ttlSeconds: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, RpSession>();

  const sweep = () => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  };

  return {
    create(): RpSession {
      sweep();
      const session: RpSession = { id: randomBytes(32).toString('base64url'), expiresAt: now() + options.ttlSeconds * 1000 };
      sessions.set(session.id, session);
      return session;
    },

    get(id: string | undefined): RpSession | undefined {
      if (!id) return undefined;
      const session = sessions.get(id);
      if (!session || session.expiresAt <= now()) {
        sessions.delete(id ?? '');
        return undefined;
      }
      return session;
    },

    destroy(id: string): void {
      sessions.delete(id);
    },

    /** Signing in gets a fresh id, so an id planted before sign-in (session fixation) is worth nothing. */
    signIn(previousId: string, user: SignedInUser): RpSession {
      sessions.delete(previousId);
      const session = this.create();
      session.user = user;
      return session;
    },

    /** Ends the sessions a logout token names; returns how many there were. */
    endMatching(match: { sub?: string | undefined; sid?: string | undefined }): number {
      let ended = 0;
      for (const [id, s] of sessions) {
        if (!s.user) continue;
        const hit = match.sid ? s.user.sid === match.sid && (!match.sub || s.user.sub === match.sub) : s.user.sub === match.sub;
        if (hit) {
          sessions.delete(id);
          ended += 1;
        }
      }
      return ended;
    },
  };
}
