import { Validator } from '@seriousme/openapi-schema-validator';
import { Document, Spectral } from '@stoplight/spectral-core';
import owasp from '@stoplight/spectral-owasp-ruleset';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '#shared/api/openapi';
import { operations } from '#shared/api/routes';

/**
 * The served document is checked the way outside reviewers check it: a real OpenAPI 3.1 schema
 * validator, and Spectral's OpenAPI rules plus the OWASP API Security ruleset, with no errors.
 */
const document = buildOpenApiDocument('https://api.example.com') as unknown as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents every route of the route table, once', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(documented.sort()).toEqual(operations.map((o) => `${o.method} ${o.path} ${o.operationId}`).sort());
  });

  it('passes Spectral oas + OWASP API Security rules without errors', { timeout: 60_000 }, async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [oas, owasp] } as never);
    const results = await spectral.run(new Document(JSON.stringify(document), Json));
    const errors = results.filter((r) => r.severity === 0).map((r) => `${r.code} at ${r.path.join('.')}`);
    expect(errors).toEqual([]);
    // Warnings left are on the public routes (health, docs, unsubscribe links), which by design need no token.
    const warned = new Set(results.filter((r) => r.severity === 1).map((r) => String(r.path[1])));
    expect([...warned].filter((path) => /^\/(customers|companies|settings|templates)/.test(path))).toEqual(
      [],
    );
  });
});
