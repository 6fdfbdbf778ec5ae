/**
 * A throwaway CA + server certificate for --tls (made with the openssl CLI). The install's key pairs are in
 * crypto/keypairs.ts and crypto/keyring.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  caPem: string;
  caPath: string;
}

/**
 * A throwaway CA and a server certificate for localhost, 127.0.0.1, authentik, authentik.company (the guide's host),
 * so the harness can use https://authentik.company/... with a resolution map to loopback. The CA is written to
 * `dir/reference-ca.pem`; its private key never leaves a temporary folder that is removed afterwards.
 */
export function makeThrowawayTls(dir: string): TlsMaterial {
  const work = mkdtempSync(join(tmpdir(), 'ref-tls-'));
  const run = (args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('TLS needs the openssl command, which is not installed.');
      throw new Error(`openssl failed while making the throwaway CA: ${String(err.stderr ?? err.message).split('\n')[0]}.`);
    }
  };
  try {
    writeFileSync(join(work, 'san.ext'), 'subjectAltName=DNS:localhost,DNS:authentik,DNS:authentik.company,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=oidc-harness throwaway reference CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=authentik.company']);
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
    const caPem = readFileSync(join(work, 'ca.pem'), 'utf8');
    mkdirSync(dir, { recursive: true });
    const caPath = resolve(dir, 'reference-ca.pem');
    writeFileSync(caPath, caPem);
    return { cert: readFileSync(join(work, 'server.pem'), 'utf8'), key: readFileSync(join(work, 'server.key'), 'utf8'), caPem, caPath };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
