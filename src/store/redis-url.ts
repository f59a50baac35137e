// REDIS_URL in its four forms, read once into what ioredis needs:
//   redis://[:password@]host:port[/db]            one node
//   rediss://[:password@]host:port[/db]           one node over TLS (REDIS_TLS_CA_FILE for a private authority)
//   redis-sentinel://[:password@]h1:26379,h2:26379/mastername[?tls=1]   Sentinel: the master is asked of them
//   redis-cluster://[:password@]h1:7000,h2:7001[?tls=1]                  Redis Cluster: any few nodes to start from
// Several hosts are separated by commas. The password is the data nodes' (Sentinel and Cluster alike).

export type RedisTarget =
  | { kind: 'node'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string; tls: boolean }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; password?: string; tls: boolean };

export class RedisUrlError extends Error {}

function hosts(list: string, defaultPort: number): { host: string; port: number }[] {
  return list.split(',').map((part) => {
    const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(part.trim());
    if (!m) throw new RedisUrlError(`REDIS_URL: "${part}" is not host or host:port`);
    const port = m[2] ? Number(m[2]) : defaultPort;
    if (port < 1 || port > 65535) throw new RedisUrlError(`REDIS_URL: port ${port} is out of range`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

export function parseRedisUrl(url: string): RedisTarget {
  const m = /^(redis|rediss|redis-sentinel|redis-cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/.exec(url);
  if (!m) throw new RedisUrlError('REDIS_URL must start with redis://, rediss://, redis-sentinel:// or redis-cluster://');
  const [, scheme, auth, hostList, pathPart = '', query = ''] = m;
  if (scheme === 'redis' || scheme === 'rediss') return { kind: 'node', url };
  // user:password or :password; only the password is used (ACL users are not needed by Sésame).
  const password = auth ? decodeURIComponent(auth.includes(':') ? auth.slice(auth.indexOf(':') + 1) : auth) : undefined;
  const tls = new URLSearchParams(query.slice(1)).get('tls') === '1';
  const common = { ...(password ? { password } : {}), tls };
  if (scheme === 'redis-sentinel') {
    const name = decodeURIComponent(pathPart.replace(/^\//, ''));
    if (!name) throw new RedisUrlError('REDIS_URL: redis-sentinel:// needs the master name as its path (…/mymaster)');
    return { kind: 'sentinel', sentinels: hosts(hostList!, 26379), name, ...common };
  }
  return { kind: 'cluster', nodes: hosts(hostList!, 6379), ...common };
}
