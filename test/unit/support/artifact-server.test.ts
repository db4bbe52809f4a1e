// The test artifact server refuses what GitHub's results service refuses, so an upload that
// reaches it finalized really followed the protocol (raw requests on loopback, no client).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArtifactServer, type ArtifactServer } from '../../support/artifact-server.js';

const SERVICE = 'twirp/github.actions.results.api.v1.ArtifactService';
let server: ArtifactServer;

beforeAll(async () => {
  server = await startArtifactServer();
});
afterAll(async () => {
  await server.close();
});

async function twirp(
  method: string,
  body: Record<string, unknown>,
  token = server.runtimeToken,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(`${SERVICE}/${method}`, server.resultsUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ids = (): Record<string, string> => ({
  workflow_run_backend_id: server.runBackendId,
  workflow_job_run_backend_id: server.jobBackendId,
});

async function create(name: string): Promise<string> {
  const res = await twirp('CreateArtifact', { ...ids(), name, version: 7 });
  expect(res.status).toBe(200);
  return String(res.body.signed_upload_url);
}

function blockUrl(signed: string, blockId: string): string {
  const url = new URL(signed);
  url.searchParams.set('comp', 'block');
  url.searchParams.set('blockid', Buffer.from(blockId).toString('base64'));
  return url.href;
}

async function commit(signed: string, blockIds: string[]): Promise<number> {
  const url = new URL(signed);
  url.searchParams.set('comp', 'blocklist');
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList>${blockIds
    .map((id) => `<Latest>${Buffer.from(id).toString('base64')}</Latest>`)
    .join('')}</BlockList>`;
  return (await fetch(url, { method: 'PUT', body: xml })).status;
}

describe('test artifact server', () => {
  it('accepts the whole protocol: create, stage, commit, finalize', async () => {
    const signed = await create('ok');
    expect(new URL(signed).origin).toBe(new URL(server.resultsUrl).origin);
    for (const [id, text] of [
      ['b1', 'hello '],
      ['b2', 'world'],
    ] as const) {
      expect((await fetch(blockUrl(signed, id), { method: 'PUT', body: text })).status).toBe(201);
    }
    expect(await commit(signed, ['b1', 'b2'])).toBe(201);
    const hash = `sha256:${createHash('sha256').update('hello world').digest('hex')}`;
    const res = await twirp('FinalizeArtifact', { ...ids(), name: 'ok', size: '11', hash });
    expect(res).toEqual({ status: 200, body: { ok: true, artifact_id: expect.any(String) } });
    expect(server.finalized('ok').content?.toString()).toBe('hello world');
  });

  it('refuses a missing or forged token and ids that are not the token’s', async () => {
    expect((await twirp('CreateArtifact', { ...ids(), name: 'x', version: 7 }, '')).status).toBe(
      401,
    );
    const forged = `${server.runtimeToken.slice(0, -4)}AAAA`;
    expect(
      (await twirp('CreateArtifact', { ...ids(), name: 'x', version: 7 }, forged)).status,
    ).toBe(401);
    const other = { ...ids(), workflow_job_run_backend_id: 'another-job' };
    expect((await twirp('CreateArtifact', { ...other, name: 'x', version: 7 })).status).toBe(403);
  });

  it('refuses a tampered upload URL and a block list naming a block never staged', async () => {
    const signed = await create('tamper');
    const tampered = new URL(signed);
    tampered.pathname = tampered.pathname.replace(/artifact-\d+/, 'artifact-999');
    expect((await fetch(blockUrl(tampered.href, 'b1'), { method: 'PUT', body: 'x' })).status).toBe(
      403,
    );
    expect((await fetch(blockUrl(signed, 'b1'), { method: 'PUT', body: 'x' })).status).toBe(201);
    expect(await commit(signed, ['b1', 'never-staged'])).toBe(400);
  });

  it('refuses to finalize before the commit, or with the wrong size or hash', async () => {
    const signed = await create('finalize');
    const before = await twirp('FinalizeArtifact', { ...ids(), name: 'finalize', size: '3' });
    expect(before.status).toBe(400);
    await fetch(blockUrl(signed, 'b1'), { method: 'PUT', body: 'abc' });
    expect(await commit(signed, ['b1'])).toBe(201);
    const wrongSize = await twirp('FinalizeArtifact', { ...ids(), name: 'finalize', size: '4' });
    expect(wrongSize).toMatchObject({ status: 400, body: { code: 'invalid_argument' } });
    const wrongHash = await twirp('FinalizeArtifact', {
      ...ids(),
      name: 'finalize',
      size: '3',
      hash: `sha256:${'0'.repeat(64)}`,
    });
    expect(wrongHash.status).toBe(400);
    expect(() => server.finalized('finalize')).toThrow(/no finalized artifact "finalize"/);
  });

  it('refuses a second artifact of the same name in the run', async () => {
    await create('twice');
    const again = await twirp('CreateArtifact', { ...ids(), name: 'twice', version: 7 });
    expect(again).toMatchObject({ status: 409, body: { code: 'already_exists' } });
  });

  it('accepts a single-shot block blob PUT, the other way @azure/storage-blob uploads', async () => {
    const signed = await create('single');
    const put = await fetch(signed, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'one shot',
    });
    expect(put.status).toBe(201);
    const res = await twirp('FinalizeArtifact', { ...ids(), name: 'single', size: '8' });
    expect(res.status).toBe(200);
    expect(server.finalized('single').content?.toString()).toBe('one shot');
    // Without the blob type header it is not an upload.
    const other = await create('no-type');
    expect((await fetch(other, { method: 'PUT', body: 'x' })).status).toBe(400);
  });
});
