import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { OffboardError } from '../../domain/errors.js';
import type { Database } from '../store/database.js';
import { databaseSetting } from '../store/settings-repository.js';
import { AGENT_ALGORITHMS } from './tokens.js';
import type { AgentVerifier } from './tokens.js';

/*
 * Where agent identity comes from. In production, the identity provider signs agent tokens
 * and offboard only ever sees its public keys: OFFBOARD_AGENT_JWKS (a JWKS file, or an
 * https URL the provider publishes) or OFFBOARD_AGENT_PUBLIC_KEY (one PEM public key).
 * Without either, offboard is a sandbox: it generates an Ed25519 key pair once, keeps it in
 * the database, and `offboard token agent` / `offboard demo` sign with it.
 */

export const AGENT_JWKS_ENV = 'OFFBOARD_AGENT_JWKS';
export const AGENT_PUBLIC_KEY_ENV = 'OFFBOARD_AGENT_PUBLIC_KEY';
const SANDBOX_SETTING = 'agent_signing_key';

export interface AgentKeys extends AgentVerifier {
  source: 'jwks-url' | 'jwks-file' | 'public-key' | 'sandbox';
  /** The sandbox's private key; null when agents come from an identity provider (offboard then holds none). */
  signingKey: KeyObject | null;
}

const fault = (message: string) => new OffboardError('OFFBOARD_ERR_AGENT_KEY', message);

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i;

function remoteJwks(text: string): AgentKeys {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fault(`${AGENT_JWKS_ENV}: "${text}" is not a URL`);
  }
  // Keys fetched in the clear could be swapped on the way: plain http only on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname)))
    throw fault(
      `${AGENT_JWKS_ENV} must be an https URL (http only for a loopback address); got ${url.origin}`,
    );
  return {
    source: 'jwks-url',
    key: createRemoteJWKSet(url, {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    }),
    algorithms: AGENT_ALGORITHMS,
    signingKey: null,
  };
}

function read(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fault(
      `${variable}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}

function jwksFile(path: string): AgentKeys {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(read(path, AGENT_JWKS_ENV)) as JSONWebKeySet;
  } catch (error) {
    if (error instanceof OffboardError) throw error;
    throw fault(`${AGENT_JWKS_ENV}: "${path}" is not JSON`);
  }
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0)
    throw fault(
      `${AGENT_JWKS_ENV}: "${path}" is not a JWKS (a JSON object with a non-empty "keys" array)`,
    );
  jwks.keys.forEach((key, i) => {
    const usable =
      (key.kty === 'OKP' && key.crv === 'Ed25519') || (key.kty === 'EC' && key.crv === 'P-256');
    if (!usable)
      throw fault(
        `${AGENT_JWKS_ENV}: key ${i} of "${path}" is neither Ed25519 (OKP) nor P-256 (EC)`,
      );
    if ('d' in key)
      throw fault(
        `${AGENT_JWKS_ENV}: key ${i} of "${path}" is a private key; give offboard public keys only`,
      );
  });
  return {
    source: 'jwks-file',
    key: createLocalJWKSet(jwks),
    algorithms: AGENT_ALGORITHMS,
    signingKey: null,
  };
}

function publicKeyFile(path: string): AgentKeys {
  const pem = read(path, AGENT_PUBLIC_KEY_ENV);
  if (pem.includes('PRIVATE KEY'))
    throw fault(
      `${AGENT_PUBLIC_KEY_ENV}: "${path}" holds a private key; give offboard the public key only`,
    );
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw fault(`${AGENT_PUBLIC_KEY_ENV}: "${path}" is not a PEM public key`);
  }
  if (key.asymmetricKeyType === 'ed25519')
    return { source: 'public-key', key, algorithms: ['EdDSA', 'Ed25519'], signingKey: null };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return { source: 'public-key', key, algorithms: ['ES256'], signingKey: null };
  throw fault(`${AGENT_PUBLIC_KEY_ENV}: "${path}" is neither an Ed25519 nor a P-256 public key`);
}

/** The agent keys the environment names, or null when it names none (the sandbox). */
export function configuredAgentKeys(env: NodeJS.ProcessEnv): AgentKeys | null {
  const jwks = env[AGENT_JWKS_ENV]?.trim() || undefined;
  const pem = env[AGENT_PUBLIC_KEY_ENV]?.trim() || undefined;
  if (jwks && pem) throw fault(`set ${AGENT_JWKS_ENV} or ${AGENT_PUBLIC_KEY_ENV}, not both`);
  if (jwks) return /^[a-z][a-z0-9+.-]*:\/\//i.test(jwks) ? remoteJwks(jwks) : jwksFile(jwks);
  if (pem) return publicKeyFile(pem);
  return null;
}

/** The sandbox's Ed25519 agent signing key, generated once and kept in the database. */
export async function sandboxAgentKey(database: Database): Promise<KeyObject> {
  const pem = await databaseSetting(database, SANDBOX_SETTING, () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  return createPrivateKey(pem);
}

/** What the service checks agent tokens with: the configured public keys, else the sandbox key. */
export async function agentKeys(database: Database, env: NodeJS.ProcessEnv): Promise<AgentKeys> {
  const configured = configuredAgentKeys(env);
  if (configured) return configured;
  const signingKey = await sandboxAgentKey(database);
  return {
    source: 'sandbox',
    key: createPublicKey(signingKey),
    algorithms: ['EdDSA', 'Ed25519'],
    signingKey,
  };
}

/**
 * The key `offboard token agent` signs with. Refused when an identity provider issues
 * agent tokens: offboard then holds no agent private key, by design.
 */
export async function agentSigningKey(
  database: Database,
  env: NodeJS.ProcessEnv,
): Promise<KeyObject> {
  if (configuredAgentKeys(env))
    throw fault(
      `agent tokens come from your identity provider (${AGENT_JWKS_ENV} or ${AGENT_PUBLIC_KEY_ENV} is set): offboard holds no agent private key and cannot mint them`,
    );
  return sandboxAgentKey(database);
}
