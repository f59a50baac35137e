// The `sesame` command finds the admin API and its token the way the server places them (it reads the
// environment without config.ts, to start fast): the same ADMIN_LISTEN and DATA_DIR lead to the same place.
import { adminTokenPath } from '../../src/admin/token.js';
import { adminSettingsFromEnv } from '../../src/cli/admin-client.js';
import { loadConfig } from '../../src/config.js';

describe('where the sesame command looks for the admin API', () => {
  const cases: Record<string, string>[] = [
    {},
    { ADMIN_LISTEN: '127.0.0.1:4100' },
    { ADMIN_LISTEN: '0.0.0.0:4101', DATA_DIR: '/var/lib/sesame' },
    { ADMIN_LISTEN: ':4102', DATA_DIR: 'relative/data' },
    { ADMIN_LISTEN: '10.1.2.3:4103', DATA_DIR: '' },
  ];

  test.each(cases)('the server listening per %j is found there, with its token file', (env) => {
    const server = loadConfig(env);
    const cli = adminSettingsFromEnv(env);
    const host = server.admin.host === '0.0.0.0' ? '127.0.0.1' : server.admin.host;
    expect(cli).toEqual({ url: `http://${host}:${server.admin.port}`, token: undefined, tokenFile: adminTokenPath(server.dataDir) });
  });

  test('ADMIN_URL wins, with or without the API path; ADMIN_TOKEN is taken as given', () => {
    expect(adminSettingsFromEnv({ ADMIN_URL: 'https://admin.sesame.example/admin/api/v1/', ADMIN_LISTEN: '0.0.0.0:1', ADMIN_TOKEN: ' t0ken ' })).toMatchObject({
      url: 'https://admin.sesame.example',
      token: 't0ken',
    });
  });

  test('a malformed ADMIN_LISTEN or ADMIN_URL is refused, as the server refuses it', () => {
    expect(() => loadConfig({ ADMIN_LISTEN: 'localhost' })).toThrow(/ADMIN_LISTEN/);
    expect(() => adminSettingsFromEnv({ ADMIN_LISTEN: 'localhost' })).toThrow(/ADMIN_LISTEN must look like host:port/);
    expect(() => adminSettingsFromEnv({ ADMIN_URL: 'not a url' })).toThrow(/ADMIN_URL is not a URL/);
    expect(() => adminSettingsFromEnv({ ADMIN_URL: 'ftp://host/' })).toThrow(/http\(s\)/);
  });
});
