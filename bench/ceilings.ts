// The machine's own limits, measured in the same run as the scenarios: argon2id with Sésame's parameters (the
// very function Sésame calls) and RS256 signatures, as CPU ms per operation and operations per second.
import { generateKeyPairSync, sign } from 'node:crypto';
import { hashPassword } from '../src/accounts/passwords.js';

export interface Ceiling {
  /** CPU ms of one operation (process CPU time, one at a time). */
  cpuMsPerOp: number;
  /** Operations per second with both cores busy (two at a time). */
  perSecond: number;
}

function cpuNowMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function measure(durationMs: number, parallel: number, op: () => Promise<unknown> | unknown): Promise<{ ops: number; seconds: number; cpuMs: number }> {
  const cpu0 = cpuNowMs();
  const t0 = performance.now();
  let ops = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() - t0 < durationMs) {
        await op();
        ops += 1;
      }
    }),
  );
  return { ops, seconds: (performance.now() - t0) / 1000, cpuMs: cpuNowMs() - cpu0 };
}

export async function argon2Ceiling(durationMs: number): Promise<Ceiling> {
  await hashPassword('warm-up');
  const serial = await measure(durationMs, 1, () => hashPassword('Cartable-rouge-2026'));
  const parallel = await measure(durationMs, 2, () => hashPassword('Cartable-rouge-2026'));
  return { cpuMsPerOp: serial.cpuMs / serial.ops, perSecond: parallel.ops / parallel.seconds };
}

export async function rs256Ceiling(durationMs: number): Promise<Ceiling> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const payload = Buffer.from(JSON.stringify({ iss: 'http://127.0.0.1', sub: 'x'.repeat(36), aud: 'client', iat: 0, exp: 600 }));
  const once = () => sign('sha256', payload, privateKey);
  once();
  const serial = await measure(durationMs, 1, once);
  // Signing is synchronous: one thread signs at a time, so signatures/s is the serial rate.
  return { cpuMsPerOp: serial.cpuMs / serial.ops, perSecond: serial.ops / serial.seconds };
}
