// DEMO_RP_URLS: where the demo data registers I-Cart, Pronote and Téléservices, and whose back-channel endpoints
// Sésame may call on loopback addresses outside production.
import { ConfigError, DEMO_RP_ORIGINS, loadConfig } from '../../src/config.js';

describe('DEMO_RP_URLS', () => {
  test('defaults to localhost:4001–4003, which are also the allowed back-channel origins outside production', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.demoRpUrls).toEqual(DEMO_RP_ORIGINS);
    expect(config.backchannelAllowedOrigins).toEqual(DEMO_RP_ORIGINS);
  });

  test('moves the demo applications, and the back-channel exemption with them', () => {
    const config = loadConfig({ NODE_ENV: 'test', DEMO_RP_URLS: 'http://127.0.0.1:5001/, http://127.0.0.1:5002,http://127.0.0.1:5003' });
    expect(config.demoRpUrls).toEqual(['http://127.0.0.1:5001', 'http://127.0.0.1:5002', 'http://127.0.0.1:5003']);
    expect(config.backchannelAllowedOrigins).toEqual(config.demoRpUrls);
  });

  test('production exempts no origin unless BACKCHANNEL_ALLOWED_ORIGINS names it', () => {
    const env = { NODE_ENV: 'production', ISSUER: 'https://sesame.example.org', ADMIN_TOKEN: 'x'.repeat(32), SMS_TRANSPORT: 'twilio', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'y'.repeat(20), TWILIO_FROM: 'Sesame', SMTP_URL: 'smtp://127.0.0.1:25' };
    expect(loadConfig({ ...env, DEMO_RP_URLS: 'http://a.test,http://b.test,http://c.test' }).backchannelAllowedOrigins).toEqual([]);
  });

  test.each([
    ['two addresses', 'http://localhost:4001,http://localhost:4002'],
    ['four addresses', 'http://a.test,http://b.test,http://c.test,http://d.test'],
    ['not URLs', 'icart,pronote,teleservices'],
    ['markup', '<script>,http://b.test,http://c.test'],
  ])('%s are refused with the setting named', (_label, value) => {
    expect(() => loadConfig({ DEMO_RP_URLS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_RP_URLS: value })).toThrow(/DEMO_RP_URLS/);
  });
});
