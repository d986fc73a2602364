/**
 * `POST /api/v1/simulations`: a result file uploaded as multipart/form-data (field `file`, plus
 * optional `folder`, `description` and `tags` text fields). The file streams to a hidden staging
 * folder inside the upload root, is decoded and checked there, and only then linked into place,
 * which fails instead of overwriting: a name that exists is a 409, never a lost file. The response
 * comes once the file is in place, so a client shows progress from its own upload events.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import multipart, { type MultipartFile } from '@fastify/multipart';

import { API_PREFIX, SessionSchema, SimulationSchema, type Session, type Simulation } from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import { SIDECAR_SUFFIX } from '../../../engine/catalog/metadata';
import { isResultFileName, type DataRoot, type FoundFile } from '../../../engine/catalog/scan';
import { displayName, qualityProblem, tooSmallProblem } from '../../../engine/catalog/summary';
import { openResultFile, DecodeError } from '../../../engine/decoder';
import type { App } from '../app';
import { requireScope } from '../auth';
import { HttpError } from '../errors';

export interface UploadOptions {
  /** The writable data root uploads go to; uploads are refused without one. */
  root?: DataRoot;
  maxBytes: number;
}

const STAGING = '.staging';
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+=,@ -]{0,199}$/;
const MAX_TEXT_FIELD = 10_000;

interface Received {
  staged?: string;
  fileName?: string;
  fields: Map<string, string>;
}

function mib(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toPrecision(3))} MiB`;
}

/** A plain file name with a result extension; no folders, no hidden files, no odd characters. */
function checkedFileName(raw: string | undefined): string {
  const name = raw ?? '';
  if (!SAFE_NAME.test(name) || name.endsWith(' ') || !isResultFileName(name)) {
    throw new HttpError(
      400,
      'bad_file_name',
      `"${name}" is not an accepted file name: use letters, digits and _ . - + = , @ or spaces, and a .mat, .csv, .h5, .hdf5 or .sdf extension`
    );
  }
  return name;
}

/** A relative folder inside the upload root, made of safe names; `''` for the root itself. */
function checkedFolder(raw: string | undefined): string {
  if (!raw) {
    return '';
  }
  const parts = raw.split('/').filter((part) => part !== '');
  if (raw.startsWith('/') || parts.length > 10 || parts.some((part) => !SAFE_NAME.test(part) || part.endsWith(' '))) {
    throw new HttpError(400, 'bad_folder', `folder "${raw}" must be a relative path of plain names (no "..", no hidden folders)`);
  }
  return parts.join('/');
}

async function receive(parts: AsyncIterableIterator<MultipartFile | { type: 'field'; fieldname: string; value: unknown }>, stagingDir: string, received: Received): Promise<void> {
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || received.staged) {
        part.file.resume();
        throw new HttpError(400, 'bad_request', 'send exactly one file, in the field "file"');
      }
      received.fileName = checkedFileName(part.filename);
      received.staged = path.join(stagingDir, `${randomUUID()}.part`);
      await pipeline(part.file, createWriteStream(received.staged, { flags: 'wx' }));
    } else {
      const value = typeof part.value === 'string' ? part.value : '';
      if (value.length > MAX_TEXT_FIELD) {
        throw new HttpError(400, 'bad_request', `field "${part.fieldname}" is longer than ${MAX_TEXT_FIELD} characters`);
      }
      received.fields.set(part.fieldname, value);
    }
  }
}

/** Decodes the staged file with the catalog's own checks; a file SimViz cannot plot is refused. */
async function checkResult(root: DataRoot, staged: string, relativePath: string): Promise<void> {
  const file: FoundFile = { root, absolutePath: staged, relativePath };
  const { size } = await stat(staged);
  let problem = tooSmallProblem(file, { size, mtimeMs: 0 });
  if (!problem) {
    try {
      problem = qualityProblem(file, await openResultFile(staged, displayName(file)));
    } catch (error) {
      if (!(error instanceof DecodeError)) {
        throw error;
      }
      problem = error.message;
    }
  }
  if (problem) {
    throw new HttpError(422, 'invalid_result_file', problem);
  }
}

function sidecarOf(fields: Map<string, string>): string | undefined {
  const description = fields.get('description')?.trim();
  const tags = (fields.get('tags') ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (!description && tags.length === 0) {
    return undefined;
  }
  return `${JSON.stringify({ ...(description ? { description } : {}), ...(tags.length ? { tags } : {}) }, null, 2)}\n`;
}

/** Links the staged file to its name; fails with 409 when the name is taken (link never replaces). */
async function place(staged: string, target: string, shownName: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await link(staged, target);
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST') {
      throw new HttpError(409, 'already_exists', `${shownName} already exists; uploads never replace a file: choose another name`);
    }
    throw error;
  }
}

function translateLimitErrors(error: unknown, maxBytes: number): unknown {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new HttpError(413, 'payload_too_large', `the upload is larger than the limit of ${mib(maxBytes)}`);
  }
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new HttpError(400, 'bad_request', 'send exactly one file, in the field "file", and at most a few text fields');
  }
  return error;
}

export async function uploadRoutes(app: App, catalog: Catalog, options: UploadOptions): Promise<void> {
  await app.register(multipart, { limits: { fileSize: options.maxBytes, files: 1, fields: 10, parts: 12 } });

  // Lets the app show its Upload page only when an upload can succeed, and say why otherwise.
  app.get(`${API_PREFIX}/session`, { schema: { response: { 200: SessionSchema } } }, async (request): Promise<Session> => {
    const uploadsEnabled = options.root !== undefined;
    return {
      scopes: [...request.scopes].sort(),
      uploadsEnabled,
      maxUploadBytes: uploadsEnabled ? options.maxBytes : 0,
    };
  });

  app.post(
    `${API_PREFIX}/simulations`,
    { preHandler: requireScope('write'), schema: { response: { 201: SimulationSchema } } },
    async (request, reply) => {
      const root = options.root;
      if (!root) {
        throw new HttpError(403, 'uploads_disabled', 'uploads are not enabled on this proxy: its operator must set uploadDir');
      }
      if (!request.isMultipart()) {
        throw new HttpError(415, 'unsupported_media_type', 'send the result file as multipart/form-data, in the field "file"');
      }
      const stagingDir = path.join(root.path, STAGING);
      await mkdir(stagingDir, { recursive: true });
      const received: Received = { fields: new Map() };
      try {
        await receive(request.parts(), stagingDir, received).catch((error: unknown) => {
          throw translateLimitErrors(error, options.maxBytes);
        });
        if (!received.staged || !received.fileName) {
          throw new HttpError(400, 'bad_request', 'no file: send the result file in the field "file"');
        }
        const folder = checkedFolder(received.fields.get('folder'));
        const relativePath = folder ? `${folder}/${received.fileName}` : received.fileName;
        const shownName = `${root.name}/${relativePath}`;
        await checkResult(root, received.staged, relativePath);
        const target = path.join(root.path, ...relativePath.split('/'));
        await place(received.staged, target, shownName);
        const sidecar = sidecarOf(received.fields);
        if (sidecar) {
          await writeFile(target + SIDECAR_SUFFIX, sidecar, { flag: 'wx' }).catch(() => undefined);
        }
        const simulation: Simulation = await catalog.add(root, target);
        request.log.info({ file: shownName, bytes: simulation.sizeBytes }, 'result file uploaded');
        return reply.status(201).header('location', `${API_PREFIX}/simulations/${simulation.id}`).send(simulation);
      } finally {
        if (received.staged) {
          await rm(received.staged, { force: true });
        }
      }
    }
  );
}
