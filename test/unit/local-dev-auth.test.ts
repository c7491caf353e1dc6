import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_CLIENT_ID, DEV_ISSUER, signDevToken, verifyDevToken } from '#local/dev-auth';
import { repoRoot } from '#local/paths';

const run = promisify(execFile);

describe('dev auth', () => {
  it('signs Cognito-like access tokens with a key kept in CIRRUS_HOME', async () => {
    const token = await signDevToken('manager');
    const keyFile = join(process.env.CIRRUS_HOME as string, 'dev-auth-key.json');
    expect(existsSync(keyFile)).toBe(true);
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ alg: 'ES256' });

    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: 'dev-manager',
      'cognito:groups': ['manager'],
      username: 'dev-manager',
      token_use: 'access',
      client_id: DEV_CLIENT_ID,
      iss: DEV_ISSUER,
      scope: expect.any(String),
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 60 * 60);
    await expect(verifyDevToken(token)).resolves.toMatchObject({ sub: 'dev-manager' });
  });

  it('reuses the same key across calls', async () => {
    const first = await signDevToken('admin');
    const second = await signDevToken('support', { sub: 'user-42' });
    await expect(verifyDevToken(first)).resolves.toBeDefined();
    await expect(verifyDevToken(second)).resolves.toMatchObject({ sub: 'user-42' });
  });

  it('rejects expired tokens, other keys, other issuers and other audiences', async () => {
    await expect(verifyDevToken(await signDevToken('admin', { lifetimeSeconds: -5 }))).rejects.toThrow();

    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const sign = (claims: Record<string, unknown>, issuer = DEV_ISSUER) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
    await expect(verifyDevToken(await sign({ client_id: DEV_CLIENT_ID }))).rejects.toThrow();

    const token = await signDevToken('admin');
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), client_id: 'other' })).toString(
      'base64url',
    );
    await expect(verifyDevToken(`${header}.${payload}.${signature}`)).rejects.toThrow();
  });

  it('prints only a token from `npm run token`, and a one-line error for an unknown role', async () => {
    const env = { ...process.env, NODE_OPTIONS: '' };
    const tsx = join(repoRoot, 'node_modules/.bin/tsx');
    const { stdout } = await run(tsx, ['local/token.ts', 'sales'], { cwd: repoRoot, env });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    await expect(verifyDevToken(stdout.trim())).resolves.toMatchObject({ 'cognito:groups': ['sales'] });

    const failure = await run(tsx, ['local/token.ts', 'boss'], { cwd: repoRoot, env }).catch(
      (error) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe(
      'Unknown role "boss": use one of admin, manager, sales, marketing, support\n',
    );
  });
});
