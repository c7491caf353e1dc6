import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks real HTTP responses against the served OpenAPI document, as a validating proxy would:
 * the status must be documented for the operation, required headers present, and the body valid
 * against the documented schema for its content type (additionalProperties false included).
 */
export type OpenApiDocument = {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
};
type ResponseObject = {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: unknown }>;
};

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export const contractChecker = (document: OpenApiDocument) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: 'openapi.json' } as object);

  /** Returns the list of contract violations (empty when the response is what the document says). */
  return async (method: string, pathTemplate: string, response: Response): Promise<string[]> => {
    const operation = document.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${pathTemplate} is not documented`];
    const status = String(response.status);
    const documented = operation.responses[status];
    if (!documented) return [`${method} ${pathTemplate} does not document status ${status}`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      if (header.required && !response.headers.has(name)) problems.push(`missing required header ${name}`);
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const text = await response.clone().text();
    if (!documented.content) {
      if (text !== '') problems.push(`status ${status} documents no body, got ${text.slice(0, 80)}`);
      return problems;
    }
    if (!documented.content[contentType]) {
      return [...problems, `content-type ${contentType} not documented for ${status}`];
    }
    if (!contentType.endsWith('json')) return problems;
    const ref = `openapi.json#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`;
    const validate = ajv.compile({ $ref: ref });
    if (!validate(JSON.parse(text))) {
      problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`));
    }
    return problems;
  };
};
