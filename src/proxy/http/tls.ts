import { readFileSync } from 'node:fs';
import https from 'node:https';
import { createSecureContext } from 'node:tls';

import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';

import type { TlsFiles } from '../config/values';

/** A certificate chain and its private key, read and checked to belong together. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** The files could not be used; the message names the file or says what is wrong with the pair. */
export class TlsLoadError extends Error {
  constructor(
    message: string,
    /** The file at fault, when it is one of them rather than the pair. */
    readonly file?: 'cert' | 'key'
  ) {
    super(message);
  }
}

/**
 * Reads the PEM files and builds a secure context from them once, so a wrong file, a key that does
 * not match the certificate or an encrypted key is reported now rather than at the first handshake.
 */
export function readTlsFiles(files: TlsFiles): TlsMaterial {
  const cert = readPem(files.cert, 'cert');
  const key = readPem(files.key, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TlsLoadError(`${files.cert} and ${files.key} are not a usable certificate and key (${reason})`);
  }
  return { cert, key };
}

function readPem(file: string, which: 'cert' | 'key'): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TlsLoadError(`cannot read the ${which === 'cert' ? 'certificate' : 'private key'} ${file} (${code})`, which);
  }
}

/**
 * Makes fastify listen with HTTPS. A server factory keeps the app typed as the plain HTTP server it
 * is written against (https.Server is one, with TLS in front), and keeps the https.Server at hand
 * for certificate reloads.
 */
export function httpsServerFactory(material: TlsMaterial): FastifyServerFactory {
  return (handler) => https.createServer({ cert: material.cert, key: material.key }, handler);
}

/**
 * Re-reads the certificate and key (renewed by certbot, cert-manager, …) and puts them in force for
 * new connections; open connections keep the certificate they were made with. A failed reload is
 * logged and leaves the current certificate in force: a half-written renewal must not take the
 * proxy down. Returns whether the new files are in force.
 */
export function reloadTls(server: https.Server, files: TlsFiles, logger: Logger): boolean {
  let material: TlsMaterial;
  try {
    material = readTlsFiles(files);
  } catch (error) {
    logger.error({ err: error, cert: files.cert, key: files.key }, 'TLS reload failed; still serving the previous certificate');
    return false;
  }
  server.setSecureContext({ cert: material.cert, key: material.key });
  logger.info({ cert: files.cert }, 'TLS certificate reloaded');
  return true;
}
