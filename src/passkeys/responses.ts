// The shapes a browser posts back after navigator.credentials.create() / get(), as JSON with base64url fields.
// Checked here, bounded in size, before any byte reaches the WebAuthn verification: anything else is «malformed».
import { z } from 'zod';

const b64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/);
/** A credential id is at most 1 023 bytes (WebAuthn §5.1): 1 364 base64url characters. */
const credentialId = b64url(1364);
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

export const registrationResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16384),
    // Unknown transports (a newer browser) are dropped rather than refused.
    transports: z.array(z.string().max(32)).max(10).optional().transform((t) => (t ?? []).filter((x): x is (typeof TRANSPORTS)[number] => (TRANSPORTS as readonly string[]).includes(x))),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export const authenticationResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    // Room for post-quantum signatures: @simplewebauthn offers ML-DSA-44 first where the runtime has it (Node 24),
    // and Chromium's authenticators answer with it (2 420 bytes); ML-DSA-87's 4 627 bytes fit too.
    signature: b64url(8192),
    // Discoverable credentials always return it; null or absent means the key names no account.
    userHandle: b64url(128).nullish().transform((h) => h ?? undefined),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export type RegistrationInput = z.output<typeof registrationResponse>;
export type AuthenticationInput = z.output<typeof authenticationResponse>;

/** Parses the posted field (a JSON string); undefined for anything that is not the expected shape. */
export function parseCredential<S extends z.ZodTypeAny>(schema: S, raw: unknown): z.output<S> | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 32_768) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
