/**
 * Throwaway PKI for the TLS tests, made with the openssl CLI in a temp dir: a CA, a server certificate for
 * authentik.company signed by it, one for another name, a self-signed one, and an expired one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caCert: string;
  /** Signed by the CA for DNS:authentik.company */
  good: { key: string; cert: string };
  /** Signed by the CA for DNS:other.company */
  otherName: { key: string; cert: string };
  /** Self-signed for authentik.company */
  selfSigned: { key: string; cert: string };
  /** Signed by the CA for authentik.company, valid 2020-01-01..2020-01-02 */
  expired: { key: string; cert: string };
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-pki-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  try {
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=oidc-harness test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    const leaf = (name: string, host: string) => {
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${host}`);
      ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
      return { key: read(`${name}.key`), cert: read(`${name}.crt`) };
    };
    const good = leaf('good', 'authentik.company');
    const otherName = leaf('other', 'other.company');
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=authentik.company',
      '-addext', 'subjectAltName=DNS:authentik.company');
    const selfSigned = { key: read('self.key'), cert: read('self.crt') };
    // Expired: `openssl ca` is the only 3.0 way to set explicit dates.
    mkdirSync(join(dir, 'newcerts'));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'ca.cnf'), [
      '[ca]', 'default_ca = d', '[d]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts',
      'serial = $dir/serial', 'certificate = $dir/ca.crt', 'private_key = $dir/ca.key', 'default_md = sha256',
      'policy = p', 'copy_extensions = none', 'x509_extensions = ext', '[p]', 'commonName = supplied',
      '[ext]', 'subjectAltName = DNS:authentik.company', 'basicConstraints = CA:FALSE', '',
    ].join('\n'));
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'old.key', '-out', 'old.csr', '-subj', '/CN=authentik.company');
    ossl('ca', '-batch', '-config', 'ca.cnf', '-in', 'old.csr', '-out', 'old.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext');
    const expired = { key: read('old.key'), cert: read('old.crt') };
    return { caCert: read('ca.crt'), good, otherName, selfSigned, expired };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
