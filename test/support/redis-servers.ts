// Redis servers a test owns, on spare loopback ports: a single node (to kill and restart), a small cluster of
// three masters (`redis-cli --cluster create`), a master with one Sentinel. Nothing is written to disk outside a
// temporary folder; `stop()` kills the processes and removes it. Uses the machine's redis-server and redis-cli.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './sesame.js';

const run = promisify(execFile);

export interface RedisProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `redis-server` (or `redis-server <conf> --sentinel`) and resolves once it accepts connections. */
export async function startRedisProcess(args: string[], port?: number, options: { tls?: boolean } = {}): Promise<RedisProcess> {
  const chosen = port ?? (await freePort());
  const sentinel = args.includes('--sentinel');
  const persistence = sentinel ? [] : ['--save', '', '--appendonly', 'no'];
  const ports = options.tls ? ['--port', '0', '--tls-port', String(chosen)] : ['--port', String(chosen)];
  const child = spawn('redis-server', [...args, ...ports, '--bind', '127.0.0.1', ...persistence], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: string) => {
      out += chunk;
      if (/Ready to accept connections|Sentinel ID is/.test(out)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-400)}`)));
  });
  return {
    port: chosen,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface RedisGroup {
  url: string;
  stop(): Promise<void>;
}

/** Three masters, all slots assigned, cluster_state:ok; REDIS_URL redis-cluster://… */
export async function startRedisCluster(): Promise<RedisGroup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-cluster-'));
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      nodes.push(await startRedisProcess(['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--dir', dir], port));
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (let i = 0; i < 100; i += 1) {
      const states = await Promise.all(nodes.map((n) => run('redis-cli', ['-p', String(n.port), 'cluster', 'info']).then((r) => r.stdout)));
      if (states.every((s) => s.includes('cluster_state:ok'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A master and one Sentinel watching it under the name `sesame-master`; REDIS_URL redis-sentinel://…/sesame-master */
export async function startRedisSentinel(): Promise<RedisGroup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-sentinel-'));
  const master = await startRedisProcess(['--dir', dir]);
  const conf = path.join(dir, 'sentinel.conf');
  await writeFile(conf, `sentinel monitor sesame-master 127.0.0.1 ${master.port} 1\nsentinel resolve-hostnames no\ndir ${dir}\n`);
  let sentinel: RedisProcess;
  try {
    sentinel = await startRedisProcess([conf, '--sentinel']);
  } catch (err) {
    await master.stop();
    throw err;
  }
  return {
    url: `redis-sentinel://127.0.0.1:${sentinel.port}/sesame-master`,
    async stop() {
      await Promise.all([sentinel.stop(), master.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TlsRedis extends RedisGroup {
  /** The authority that signed the server's certificate (REDIS_TLS_CA_FILE). */
  caFile: string;
}

/** One node that speaks TLS only, its certificate signed by a throwaway authority; REDIS_URL rediss://… */
export async function startRedisTls(): Promise<TlsRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args);
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=sesame-test-ca');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  await writeFile(file('ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('ext'));
  const node = await startRedisProcess(
    ['--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'no', '--dir', dir],
    undefined,
    { tls: true },
  );
  return {
    url: `rediss://127.0.0.1:${node.port}`,
    caFile: file('ca.crt'),
    async stop() {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
