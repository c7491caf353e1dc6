import { Liquid, type Template as LiquidTemplate } from 'liquidjs';
import { type Actor, hasAnyRole } from '#shared/domain/actor';
import { type FieldIssue, Forbidden, Unprocessable, ValidationFailed } from '#shared/domain/errors';
import type { Template } from '#shared/schemas/template';
import { KNOWN_VARIABLES, type TemplateVariables } from './template-variables.ts';

/**
 * Template rules: who may manage templates, which Liquid they may use, and rendering with a
 * strict, sandboxed engine. Pure (no I/O): the engines have no file system at all.
 */

/** Admins, managers and marketing manage the template library (read, write, preview). */
const MANAGE = ['admin', 'manager', 'marketing'] as const;

export const assertMayManageTemplates = (actor: Actor): void => {
  if (!hasAnyRole(actor, MANAGE)) {
    throw new Forbidden('Only admins, managers and marketing may use e-mail templates.');
  }
};

/** Bounds of one render: time, memory Liquid may allocate, and the size of each output. */
export const RENDER_LIMITS = {
  renderMs: 200,
  memory: 2_000_000,
  parseSize: 200_000,
  output: { subject: 1000, html: 200_000, text: 100_000 },
} as const;

/** Tags that read other files (include, render, layout/block): a template stands alone. */
const FILE_TAGS = ['include', 'render', 'layout', 'block'];

const noFileSystem = {
  readFileSync: () => {
    throw new Error('Templates cannot read files');
  },
  readFile: async () => {
    throw new Error('Templates cannot read files');
  },
  existsSync: () => false,
  exists: async () => false,
  resolve: (_root: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
  fallback: () => undefined,
};

const engine = (escapeHtml: boolean) => {
  const liquid = new Liquid({
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    // Missing values print nothing (`default` fills them); unknown names are refused on write.
    strictVariables: false,
    ownPropertyOnly: true,
    fs: noFileSystem,
    relativeReference: false,
    dynamicPartials: false,
    renderLimit: RENDER_LIMITS.renderMs,
    memoryLimit: RENDER_LIMITS.memory,
    parseLimit: RENDER_LIMITS.parseSize,
  });
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  // `raw` would print customer-controlled data unescaped into the HTML.
  delete liquid.filters.raw;
  return liquid;
};

const ENGINES = { html: engine(true), plain: engine(false) };

export type TemplatePart = 'subject' | 'html' | 'text';
const engineFor = (part: TemplatePart) => (part === 'html' ? ENGINES.html : ENGINES.plain);

const position = (error: unknown): string => {
  const [line, column] =
    (error as { token?: { getPosition?: () => [number, number] } }).token?.getPosition?.() ?? [];
  return line === undefined ? '' : ` at line ${line}, column ${column}`;
};

/** The Liquid error's own message without liquidjs' trailing `, line:3, col:1`. */
const reason = (error: unknown) =>
  String((error as Error)?.message ?? error)
    .replace(/, line:\d+, col:\d+$/, '')
    .slice(0, 200);

/** Each variable a template names must be one the variables object documents. */
const unknownVariables = (liquid: Liquid, parsed: LiquidTemplate[]): string[] => {
  const analysis = liquid.analyzeSync(parsed);
  const problems: string[] = [];
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const [root, child] = variable.segments.map(String);
      const known = KNOWN_VARIABLES[root as keyof TemplateVariables];
      const at = variable.location
        ? ` at line ${variable.location.row}, column ${variable.location.col}`
        : '';
      const path = variable.segments.join('.');
      if (known === undefined) problems.push(`Unknown variable ${path}${at}`);
      else if (known !== 'leaf' && child !== undefined && !known.includes(child)) {
        problems.push(`Unknown variable ${path}${at}`);
      }
    }
  }
  return problems;
};

/** Parses each part; a syntax error or an unknown variable is a 400 naming the field and line. */
export const assertValidTemplate = (parts: Partial<Record<TemplatePart, string>>): void => {
  const issues: FieldIssue[] = [];
  for (const part of ['subject', 'html', 'text'] as const) {
    const source = parts[part];
    if (source === undefined) continue;
    const liquid = engineFor(part);
    try {
      const problems = unknownVariables(liquid, liquid.parse(source));
      if (problems.length > 0)
        issues.push({ in: 'body', field: part, detail: problems.slice(0, 5).join('; ') });
    } catch (error) {
      issues.push({
        in: 'body',
        field: part,
        detail: `Template syntax error${position(error)}: ${reason(error)}`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationFailed(issues, 'The template does not parse.');
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\x00-\x1f\x7f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL_IN_BODY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export interface RenderedContent {
  subject: string;
  html: string;
  text: string;
}

/**
 * Renders the three parts for one recipient. A render that runs out of time or memory, or whose
 * output is too large, is Unprocessable naming the part (never a partial message).
 */
export const renderTemplate = async (
  template: Pick<Template, 'subject' | 'html' | 'text'>,
  variables: TemplateVariables,
): Promise<RenderedContent> => {
  const issues: FieldIssue[] = [];
  const out: Partial<RenderedContent> = {};
  for (const part of ['subject', 'html', 'text'] as const) {
    try {
      const rendered = String(await engineFor(part).parseAndRender(template[part], variables));
      // One line for the subject; no control characters anywhere (tab and line breaks kept in bodies).
      const value =
        part === 'subject'
          ? rendered.replace(/\s+/g, ' ').replace(CONTROL, '').trim()
          : rendered.replace(CONTROL_IN_BODY, '');
      if (value.length > RENDER_LIMITS.output[part]) {
        issues.push({
          in: 'body',
          field: part,
          detail: `Renders to more than ${RENDER_LIMITS.output[part]} characters`,
        });
      }
      out[part] = value;
    } catch (error) {
      issues.push({ in: 'body', field: part, detail: `Cannot render${position(error)}: ${reason(error)}` });
    }
  }
  if (issues.length > 0)
    throw new Unprocessable(issues, 'The template cannot be rendered for this recipient.');
  return out as RenderedContent;
};
