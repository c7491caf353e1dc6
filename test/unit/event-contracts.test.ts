import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog, type DetailType, eventJsonSchemas, parseDetail } from '#events/catalog';
import { rules } from '#events/rules';
import { lambdaFunctions } from '#functions/catalog';

/**
 * Contract tests: every published version of every event has a JSON fixture under events/fixtures
 * (<detail-type>.v<version>.json). A change to a schema that rejects an old fixture is a breaking
 * change: give the event a new version instead.
 */
const fixturesDir = new URL('../../events/fixtures/', import.meta.url);
const fixtures = readdirSync(fixturesDir).filter((name) => name.endsWith('.json'));

describe('event catalog', () => {
  it('has a fixture for the current version of every event', () => {
    for (const definition of Object.values(catalog)) {
      expect(fixtures).toContain(`${definition.detailType}.v${definition.version}.json`);
    }
  });

  it.each(fixtures)('%s still parses with the catalog schema', (name) => {
    const detailType = name.replace(/\.v\d+\.json$/, '') as DetailType;
    const detail = JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8'));
    expect(() => parseDetail(detailType, detail)).not.toThrow();
  });

  it('rejects a detail that breaks the contract', () => {
    const detail = JSON.parse(readFileSync(new URL('customer.created.v1.json', fixturesDir), 'utf8'));
    delete detail.data.customer.emails;
    expect(() => parseDetail('customer.created', detail)).toThrow();
    expect(() =>
      parseDetail('customer.created', { ...detail, metadata: { ...detail.metadata, version: 2 } }),
    ).toThrow();
  });

  it('exports a JSON Schema per event for consumers outside the app', () => {
    const schemas = eventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(catalog).sort());
    expect(schemas['customer.created']).toMatchObject({ type: 'object', required: ['metadata', 'data'] });
  });

  it('routes every rule to a consumer function that exists', () => {
    for (const rule of rules) expect(lambdaFunctions[rule.target]?.kind).toBe('event');
  });
});
