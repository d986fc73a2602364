import type { IncomingHttpHeaders } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

export interface TestCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint as node:tls reports it for a peer certificate. */
  fingerprint256: string;
}

/**
 * A self-signed certificate for localhost and 127.0.0.1, made by the system's openssl (as a user
 * would), written as `<name>.cert.pem` and `<name>.key.pem` in `dir`.
 */
export function makeSelfSignedCertificate(dir: string, name: string): TestCertificate {
  const cert = path.join(dir, `${name}.cert.pem`);
  const key = path.join(dir, `${name}.key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' }
  );
  return { cert, key, fingerprint256: new X509Certificate(readFileSync(cert)).fingerprint256 };
}

export interface HttpsAnswer {
  status: number;
  body: string;
  /** Fingerprint of the certificate the server presented. */
  peerFingerprint256: string;
  headers: IncomingHttpHeaders;
}

/** A GET over a fresh TLS connection that trusts only `caFile`, so every call sees the current certificate. */
export function httpsGet(url: string, caFile: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: readFileSync(caFile), agent: false, headers }, (response) => {
      const peerFingerprint256 = (response.socket as TLSSocket).getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), peerFingerprint256, headers: response.headers })
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
