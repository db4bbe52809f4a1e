/**
 * A real HTTP server on 127.0.0.1 that speaks the artifact upload protocol (v4 artifacts) the
 * way @actions/artifact uses it:
 *
 * 1. Twirp JSON `POST /twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`,
 *    authorised by the runtime token (a JWT whose `scp` claim holds
 *    `Actions.Results:<run backend id>:<job backend id>`), answered with a signed upload URL
 *    on this same server;
 * 2. the Azure block-blob upload @azure/storage-blob does against that URL:
 *    `PUT ?comp=block&blockid=<base64>` per chunk, then `PUT ?comp=blocklist` with the XML
 *    block list (or one `PUT` with `x-ms-blob-type: BlockBlob`);
 * 3. `FinalizeArtifact` with the size and the `sha256:` hash, which must match what arrived.
 *
 * It checks what GitHub's service checks (token, ids, names, signature, block list, size,
 * hash) and keeps every artifact so tests can unzip and compare it.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredArtifact {
  readonly id: number;
  readonly name: string;
  readonly runBackendId: string;
  readonly jobBackendId: string;
  readonly mimeType: string | undefined;
  readonly version: number;
  /** Block id -> bytes staged with `comp=block`, kept until the block list is committed. */
  readonly staged: Map<string, Buffer>;
  /** Ids in the order the committed block list named them. */
  committedBlocks: string[];
  /** The blob as committed (the zip). */
  content: Buffer | undefined;
  finalized: boolean;
  /** What FinalizeArtifact declared. */
  declaredSize: number | undefined;
  declaredHash: string | undefined;
}

export interface ArtifactServerOptions {
  /** Host to listen on; loopback unless a container must reach it. */
  readonly host?: string;
  /** Host name to put in URLs handed out (ACTIONS_RESULTS_URL and signed upload URLs). */
  readonly advertisedHost?: string;
}

export interface ArtifactServer {
  /** What a runner puts in ACTIONS_RESULTS_URL. */
  readonly resultsUrl: string;
  /** What a runner puts in ACTIONS_RUNTIME_TOKEN. */
  readonly runtimeToken: string;
  /** Both, as environment variables for a step. */
  readonly env: { ACTIONS_RESULTS_URL: string; ACTIONS_RUNTIME_TOKEN: string };
  readonly runBackendId: string;
  readonly jobBackendId: string;
  /** Every artifact created, in order. */
  readonly artifacts: readonly StoredArtifact[];
  /** One line per request: method, path, query operation and status. */
  readonly requests: readonly string[];
  /** The finalized artifact of that name; throws with the request log when there is none. */
  finalized(name: string): StoredArtifact;
  close(): Promise<void>;
}

const SERVICE = 'github.actions.results.api.v1.ArtifactService';
const MAX_BODY_BYTES = 1024 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startArtifactServer(
  options: ArtifactServerOptions = {},
): Promise<ArtifactServer> {
  const secret = randomBytes(32);
  const runBackendId = randomUUID();
  const jobBackendId = randomUUID();
  const artifacts: StoredArtifact[] = [];
  const requests: string[] = [];
  let origin = '';

  const runtimeToken = signJwt(secret, {
    scp: `Actions.GenericRead:${runBackendId} Actions.UploadArtifacts:${runBackendId}:${jobBackendId} Actions.Results:${runBackendId}:${jobBackendId}`,
    iss: 'pycov-harvest-test-artifact-server',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 6 * 3600,
  });

  const sign = (path: string, expires: string): string =>
    createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const operation = url.searchParams.get('comp') ?? '';
    const log = (status: number): void => {
      requests.push(
        `${req.method} ${url.pathname}${operation ? ` comp=${operation}` : ''} ${status}`,
      );
    };
    readBody(req)
      .then((body) => {
        if (url.pathname.startsWith('/twirp/')) {
          const reply = twirp(req, url.pathname, body);
          sendJson(res, 200, reply);
          log(200);
        } else if (url.pathname.startsWith('/blob/')) {
          const status = blob(req, url, body);
          sendBlob(res, req, status);
          log(status);
        } else {
          throw new HttpError(404, 'bad_route', `no such path ${url.pathname}`);
        }
      })
      .catch((error: unknown) => {
        const e =
          error instanceof HttpError ? error : new HttpError(500, 'internal', String(error));
        if (url.pathname.startsWith('/blob/')) sendBlobError(res, e);
        else sendJson(res, e.status, { code: e.code, msg: e.message });
        log(e.status);
      });
  });

  function twirp(req: IncomingMessage, path: string, body: Buffer): unknown {
    if (req.method !== 'POST') {
      throw new HttpError(404, 'bad_route', `Twirp needs POST, got ${req.method}`);
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpError(404, 'bad_route', 'only the JSON Twirp encoding is served');
    }
    const [runId, jobId] = authorise(req.headers.authorization);
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'malformed', 'request body is not JSON');
    }
    if (
      message.workflow_run_backend_id !== runId ||
      message.workflow_job_run_backend_id !== jobId
    ) {
      throw new HttpError(403, 'permission_denied', 'backend ids do not match the token');
    }
    const name = message.name;
    if (typeof name !== 'string' || name === '') {
      throw new HttpError(400, 'invalid_argument', 'name is required');
    }
    switch (path) {
      case `/twirp/${SERVICE}/CreateArtifact`:
        return createArtifact(runId, jobId, name, message);
      case `/twirp/${SERVICE}/FinalizeArtifact`:
        return finalizeArtifact(runId, name, message);
      default:
        throw new HttpError(404, 'bad_route', `no handler for ${path}`);
    }
  }

  function authorise(header: string | undefined): [string, string] {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const claims = token === undefined ? undefined : verifyJwt(secret, token);
    const scope = typeof claims?.scp === 'string' ? claims.scp : '';
    const results = scope
      .split(' ')
      .map((s) => s.split(':'))
      .find((parts) => parts[0] === 'Actions.Results' && parts.length === 3);
    if (!results || typeof claims?.exp !== 'number' || claims.exp * 1000 < Date.now()) {
      throw new HttpError(401, 'unauthenticated', 'missing, expired or invalid runtime token');
    }
    return [results[1] ?? '', results[2] ?? ''];
  }

  function createArtifact(
    runId: string,
    jobId: string,
    name: string,
    message: Record<string, unknown>,
  ): unknown {
    if (artifacts.some((a) => a.runBackendId === runId && a.name === name)) {
      throw new HttpError(
        409,
        'already_exists',
        'an artifact with this name already exists on the workflow run',
      );
    }
    const version = Number(message.version);
    if (!Number.isInteger(version) || version < 4) {
      throw new HttpError(
        400,
        'invalid_argument',
        `unsupported artifact version ${message.version}`,
      );
    }
    const artifact: StoredArtifact = {
      id: artifacts.length + 1,
      name,
      runBackendId: runId,
      jobBackendId: jobId,
      mimeType: typeof message.mime_type === 'string' ? message.mime_type : undefined,
      version,
      staged: new Map(),
      committedBlocks: [],
      content: undefined,
      finalized: false,
      declaredSize: undefined,
      declaredHash: undefined,
    };
    artifacts.push(artifact);
    const path = `/blob/actions-results-${runId}/artifact-${artifact.id}.zip`;
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const query = new URLSearchParams({ sv: '2024-11-04', se: expires, sp: 'cw', sr: 'b' });
    query.set('sig', sign(path, expires));
    return { ok: true, signed_upload_url: `${origin}${path}?${query.toString()}` };
  }

  function finalizeArtifact(
    runId: string,
    name: string,
    message: Record<string, unknown>,
  ): unknown {
    const artifact = artifacts.find((a) => a.runBackendId === runId && a.name === name);
    if (!artifact) throw new HttpError(404, 'not_found', `no artifact named ${name} was created`);
    if (artifact.content === undefined) {
      throw new HttpError(400, 'failed_precondition', 'the blob was never committed');
    }
    const size = Number(message.size);
    if (size !== artifact.content.length) {
      throw new HttpError(
        400,
        'invalid_argument',
        `declared size ${message.size} but ${artifact.content.length} bytes were uploaded`,
      );
    }
    const digest = `sha256:${createHash('sha256').update(artifact.content).digest('hex')}`;
    if (message.hash !== undefined && message.hash !== digest) {
      throw new HttpError(400, 'invalid_argument', `hash ${String(message.hash)} != ${digest}`);
    }
    artifact.declaredSize = size;
    artifact.declaredHash = typeof message.hash === 'string' ? message.hash : undefined;
    artifact.finalized = true;
    return { ok: true, artifact_id: String(artifact.id) };
  }

  function blob(req: IncomingMessage, url: URL, body: Buffer): number {
    const expires = url.searchParams.get('se') ?? '';
    const given = Buffer.from(url.searchParams.get('sig') ?? '');
    const expected = Buffer.from(sign(url.pathname, expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(403, 'AuthenticationFailed', 'signature did not match');
    }
    if (Date.parse(expires) < Date.now()) {
      throw new HttpError(403, 'AuthenticationFailed', 'signed URL expired');
    }
    const id = Number(/artifact-(\d+)\.zip$/.exec(url.pathname)?.[1]);
    const artifact = artifacts.find((a) => a.id === id);
    if (!artifact || artifact.finalized) {
      throw new HttpError(409, 'BlobImmutable', 'artifact unknown or already finalized');
    }
    if (req.method !== 'PUT') {
      throw new HttpError(405, 'UnsupportedHttpVerb', `${req.method} is not served`);
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) throw new HttpError(400, 'InvalidQueryParameterValue', 'blockid missing');
      artifact.staged.set(blockId, body);
      return 201;
    }
    if (comp === 'blocklist') {
      const ids = [
        ...body.toString('utf8').matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g),
      ].map((m) => m[2] ?? '');
      if (!/<BlockList>/.test(body.toString('utf8'))) {
        throw new HttpError(400, 'InvalidXmlDocument', 'body is not a BlockList');
      }
      const parts = ids.map((blockId) => {
        const part = artifact.staged.get(blockId);
        if (!part) throw new HttpError(400, 'InvalidBlockList', `block ${blockId} was not staged`);
        return part;
      });
      artifact.committedBlocks = ids;
      artifact.content = Buffer.concat(parts);
      artifact.staged.clear();
      return 201;
    }
    if (comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob') {
      artifact.committedBlocks = [];
      artifact.content = body;
      return 201;
    }
    throw new HttpError(400, 'InvalidQueryParameterValue', `unsupported blob operation ${comp}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${options.advertisedHost ?? options.host ?? '127.0.0.1'}:${port}`;

  return {
    resultsUrl: `${origin}/`,
    runtimeToken,
    env: { ACTIONS_RESULTS_URL: `${origin}/`, ACTIONS_RUNTIME_TOKEN: runtimeToken },
    runBackendId,
    jobBackendId,
    artifacts,
    requests,
    finalized(name: string): StoredArtifact {
      const found = artifacts.find((a) => a.name === name && a.finalized);
      if (!found) {
        throw new Error(
          `no finalized artifact "${name}"; requests seen:\n${requests.join('\n') || '(none)'}`,
        );
      }
      return found;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'RequestBodyTooLarge', 'request body too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function blobHeaders(req: IncomingMessage | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2025-11-05',
    date: new Date().toUTCString(),
  };
  const clientRequestId = req?.headers['x-ms-client-request-id'];
  if (typeof clientRequestId === 'string') headers['x-ms-client-request-id'] = clientRequestId;
  return headers;
}

function sendBlob(res: ServerResponse, req: IncomingMessage, status: number): void {
  res.writeHead(status, {
    ...blobHeaders(req),
    etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-server-encrypted': 'true',
    'content-length': '0',
  });
  res.end();
}

function sendBlobError(res: ServerResponse, error: HttpError): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${error.message.replace(/[<&>]/g, '')}</Message></Error>`;
  res.writeHead(error.status, {
    ...blobHeaders(undefined),
    'x-ms-error-code': error.code,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  });
  res.end(xml);
}

function signJwt(secret: Buffer, claims: Record<string, unknown>): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function verifyJwt(secret: Buffer, token: string): Record<string, unknown> | undefined {
  const [header, claims, signature] = token.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  if (signature.length !== expected.length) return undefined;
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return undefined;
  try {
    return JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
