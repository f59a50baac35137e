// Two warnings oidc-provider prints that say nothing about the code under test, silenced for tests only:
// - its SSRF guard cannot be built inside Jest's VM modules (undici's global dispatcher is not the test realm's);
//   a real process builds it (src/oidc/backchannel-fetch.ts prepares it at start-up);
// - «Unsupported runtime» on Node 20 (end of life; README asks for 22+), so a run on such a machine stays readable.
const KNOWN = [/failed to setup SSRF protection for fetch/, /Unsupported runtime/];

const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && KNOWN.some((known) => known.test(args[0] as string))) return;
  warn(...args);
};
