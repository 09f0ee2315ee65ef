// TLS material for the webhook's HTTPS server: read from files (in a cluster: the Secret mounted as
// a volume) or generated at start (tests, local runs): a CA and a serving certificate signed by it,
// ECDSA P-256. The apiserver trusts the CA through the webhook configuration's caBundle.
import { createPrivateKey, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { readFile } from 'node:fs/promises';
import * as x509 from '@peculiar/x509';
import { WebhookError } from './errors.js';

export interface TlsMaterial {
  /** PEM of the serving certificate (and any chain). */
  cert: string;
  /** PEM (PKCS#8) of its private key. */
  key: string;
  /** PEM of the CA that signed it: the caBundle of the webhook configurations (generated only). */
  ca?: string;
}

export interface GenerateOptions {
  /** IP addresses and DNS names the serving certificate is valid for (its SANs). */
  hosts: readonly string[];
  /** Default 365. */
  validDays?: number;
  /** Default: now. Passed in for tests. */
  now?: Date;
}

const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = { publicKey: webcrypto.CryptoKey; privateKey: webcrypto.CryptoKey };

async function keyPair(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as KeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function sanEntries(hosts: readonly string[]): Array<{ type: 'ip' | 'dns'; value: string }> {
  return hosts.map((h) => (isIP(h) === 0 ? { type: 'dns' as const, value: h } : { type: 'ip' as const, value: h }));
}

/** A fresh CA and a serving certificate for `hosts`, signed by it. Takes ~10 ms. */
export async function generateTlsMaterial(opts: GenerateOptions): Promise<Required<TlsMaterial>> {
  if (opts.hosts.length === 0) throw new WebhookError('WEBHOOK_CERTS', 'generateTlsMaterial: hosts must name at least one IP or DNS name');
  const notBefore = new Date((opts.now ?? new Date()).getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 365) * DAY_MS);
  const caKeys = await keyPair();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=kpa-ts-webhook-ca',
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: EC_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leafKeys = await keyPair();
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${opts.hosts[0]}`,
    issuer: caCert.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: EC_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sanEntries(opts.hosts)),
    ],
  });
  return { cert: leaf.toString('pem'), key: await privateKeyPem(leafKeys.privateKey), ca: caCert.toString('pem') };
}

/** Reads `tls.crt`/`tls.key` style files (a kubernetes.io/tls Secret mounted as a volume). */
export async function readTlsMaterial(certFile: string, keyFile: string): Promise<TlsMaterial> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { cert, key };
  } catch (cause) {
    throw new WebhookError('WEBHOOK_CERTS', `cannot read TLS files ${certFile} and ${keyFile}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
