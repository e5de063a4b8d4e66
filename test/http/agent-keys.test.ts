import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredAgentKeys } from '../../src/adapters/http/agent-keys.js';
import { signEdDsaToken, signToken, verifyAgentToken } from '../../src/adapters/http/tokens.js';
import { OffboardError } from '../../src/domain/errors.js';
import { DIALECTS } from '../support/databases.js';
import { SECRET, T0, openHarness } from './harness.js';
import type { Harness } from './harness.js';

/*
 * Agent identity comes from the identity provider's public keys: a PEM file, a JWKS file
 * or a JWKS URL (served here on 127.0.0.1). offboard never holds the private half.
 */

const ed = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('ed25519');

const nowS = Math.floor(T0.getTime() / 1000);
const CLAIMS = {
  sub: 'agent-ada',
  aud: 'offboard-agent',
  roles: ['support'],
  iat: nowS,
  exp: nowS + 3600,
};

const es256 = (key: KeyObject, kid?: string) =>
  new SignJWT(CLAIMS).setProtectedHeader({ alg: 'ES256', ...(kid ? { kid } : {}) }).sign(key);
const pem = (key: KeyObject, type: 'spki' | 'pkcs8') =>
  key.export({ type, format: 'pem' }).toString();

async function jwks(): Promise<{ keys: object[] }> {
  return {
    keys: [
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', use: 'sig' },
      { ...(await exportJWK(p256.publicKey)), kid: 'ec-1', use: 'sig' },
    ],
  };
}

function faultOf(env: NodeJS.ProcessEnv): string {
  try {
    configuredAgentKeys(env);
  } catch (error) {
    expect(error).toBeInstanceOf(OffboardError);
    expect((error as OffboardError).code).toBe('OFFBOARD_ERR_AGENT_KEY');
    return (error as OffboardError).message;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('agent keys from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-agent-keys-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks EdDSA tokens against an Ed25519 public key file, and nothing else', async () => {
    const keys = configuredAgentKeys({
      OFFBOARD_AGENT_PUBLIC_KEY: file('ed.pem', pem(ed.publicKey, 'spki')),
    })!;
    expect(keys.signingKey).toBeNull();
    expect(await verifyAgentToken(keys, signEdDsaToken(ed.privateKey, CLAIMS), T0)).toMatchObject({
      agentId: 'agent-ada',
      roles: ['support'],
    });
    expect(
      await verifyAgentToken(keys, signEdDsaToken(stranger.privateKey, CLAIMS), T0),
    ).toBeNull();
    expect(await verifyAgentToken(keys, signToken(SECRET, CLAIMS), T0)).toBeNull();
    // The public key itself as an HMAC secret: algorithm confusion.
    expect(
      await verifyAgentToken(keys, signToken(pem(ed.publicKey, 'spki'), CLAIMS), T0),
    ).toBeNull();
  });

  it('checks ES256 tokens against a P-256 public key file', async () => {
    const keys = configuredAgentKeys({
      OFFBOARD_AGENT_PUBLIC_KEY: file('ec.pem', pem(p256.publicKey, 'spki')),
    })!;
    expect(await verifyAgentToken(keys, await es256(p256.privateKey), T0)).not.toBeNull();
    expect(await verifyAgentToken(keys, signEdDsaToken(ed.privateKey, CLAIMS), T0)).toBeNull();
  });

  it('checks tokens against every key of a JWKS file', async () => {
    const keys = configuredAgentKeys({
      OFFBOARD_AGENT_JWKS: file('keys.json', JSON.stringify(await jwks())),
    })!;
    expect(keys.source).toBe('jwks-file');
    expect(await verifyAgentToken(keys, signEdDsaToken(ed.privateKey, CLAIMS), T0)).not.toBeNull();
    expect(await verifyAgentToken(keys, await es256(p256.privateKey, 'ec-1'), T0)).not.toBeNull();
    expect(
      await verifyAgentToken(keys, signEdDsaToken(stranger.privateKey, CLAIMS), T0),
    ).toBeNull();
  });

  it('refuses private keys, other key types, insecure URLs, unreadable files and both at once', async () => {
    expect(
      faultOf({ OFFBOARD_AGENT_PUBLIC_KEY: file('private.pem', pem(ed.privateKey, 'pkcs8')) }),
    ).toContain('private key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(
      faultOf({ OFFBOARD_AGENT_PUBLIC_KEY: file('rsa.pem', pem(rsa.publicKey, 'spki')) }),
    ).toContain('neither an Ed25519 nor a P-256');
    const withPrivate = { keys: [await exportJWK(ed.privateKey)] };
    expect(
      faultOf({ OFFBOARD_AGENT_JWKS: file('private.json', JSON.stringify(withPrivate)) }),
    ).toContain('private key');
    expect(
      faultOf({
        OFFBOARD_AGENT_JWKS: file(
          'oct.json',
          JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
        ),
      }),
    ).toContain('neither Ed25519');
    expect(faultOf({ OFFBOARD_AGENT_JWKS: file('empty.json', '{"keys":[]}') })).toContain(
      'not a JWKS',
    );
    expect(faultOf({ OFFBOARD_AGENT_JWKS: file('garbage.json', 'not json') })).toContain(
      'not JSON',
    );
    expect(faultOf({ OFFBOARD_AGENT_JWKS: join(dir, 'missing.json') })).toContain('cannot read');
    expect(faultOf({ OFFBOARD_AGENT_JWKS: 'http://idp.example.com/jwks.json' })).toContain('https');
    expect(
      faultOf({
        OFFBOARD_AGENT_JWKS: 'https://idp.example.com/jwks.json',
        OFFBOARD_AGENT_PUBLIC_KEY: 'x.pem',
      }),
    ).toContain('not both');
    // Without either, the service is a sandbox (it uses the database's own key).
    expect(configuredAgentKeys({})).toBeNull();
  });
});

// The whole path through HTTP, with the identity provider's JWKS served on loopback.
describe.each(DIALECTS)('agent tokens checked against a JWKS URL [%s]', (dialect) => {
  let server: Server;
  let fetched = 0;
  let h: Harness;
  beforeAll(async () => {
    const body = JSON.stringify(await jwks());
    server = createServer((_request, response) => {
      fetched += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    h = await openHarness(dialect, {
      deps: { agentKeys: configuredAgentKeys({ OFFBOARD_AGENT_JWKS: url })! },
    });
  });
  afterAll(async () => {
    await h.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it("accepts the provider's agents and no one else's", async () => {
    const picture = (token: string) => h.call('GET', '/v1/agent/accounts/demo-clean', { token });
    expect((await picture(signEdDsaToken(ed.privateKey, CLAIMS))).status).toBe(200);
    expect((await picture(await es256(p256.privateKey, 'ec-1'))).status).toBe(200);
    expect(fetched).toBeGreaterThan(0);
    for (const token of [
      signEdDsaToken(stranger.privateKey, CLAIMS),
      signToken(SECRET, CLAIMS),
      h.agent('agent-ada', ['support']), // the harness's own key is not the provider's
    ])
      expect((await picture(token)).status).toBe(401);
  });
});
