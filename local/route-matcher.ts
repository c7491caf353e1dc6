import type { Operation } from '#shared/api/operation';

/** What the local server needs of an operation (tests pass small fakes). */
export type Route = Pick<Operation, 'method' | 'path' | 'function' | 'auth'>;

export interface RouteMatch<R extends Route> {
  route: R;
  /** Decoded values of the template's `{name}` segments; empty when it has none. */
  pathParameters: Record<string, string>;
}

type Segment = { literal: string } | { parameter: string; greedy: boolean };

interface CompiledRoute<R extends Route> {
  route: R;
  segments: Segment[];
}

const compile = (path: string): Segment[] =>
  path
    .split('/')
    .slice(1)
    .map((part) => {
      const parameter = /^\{([^}]+?)(\+)?\}$/.exec(part);
      return parameter
        ? { parameter: parameter[1] as string, greedy: parameter[2] === '+' }
        : { literal: part };
    });

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Literal segments outrank `{param}`, which outranks `{proxy+}`: API Gateway picks the most specific route. */
const specificity = (segments: Segment[]): number[] =>
  segments.map((segment) => ('literal' in segment ? 2 : segment.greedy ? 0 : 1));

const compareSpecificity = (a: number[], b: number[]): number => {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (b[index] ?? -1) - (a[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
};

const matchSegments = (segments: Segment[], parts: string[]): Record<string, string> | undefined => {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as Segment;
    if ('literal' in segment) {
      if (parts[index] === undefined || decode(parts[index] as string) !== segment.literal) return undefined;
      continue;
    }
    if (segment.greedy) {
      const rest = parts.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[segment.parameter] = decode(rest.join('/'));
      return parameters;
    }
    const part = parts[index];
    if (part === undefined || part === '') return undefined;
    parameters[segment.parameter] = decode(part);
  }
  return parts.length === segments.length ? parameters : undefined;
};

/**
 * Route matching as API Gateway HTTP APIs do it: method plus path template, `{name}` matching
 * one segment and `{name+}` the rest, the most specific route winning. A path that matches with
 * another method is a miss too (HTTP APIs answer 404, not 405).
 */
export const createRouteMatcher = <R extends Route>(routes: readonly R[]) => {
  const compiled: CompiledRoute<R>[] = routes
    .map((route) => ({ route, segments: compile(route.path) }))
    .sort((a, b) => compareSpecificity(specificity(a.segments), specificity(b.segments)));

  return (method: string, rawPath: string): RouteMatch<R> | undefined => {
    const parts = rawPath.split('/').slice(1);
    for (const { route, segments } of compiled) {
      if (route.method !== method) continue;
      const pathParameters = matchSegments(segments, parts);
      if (pathParameters) return { route, pathParameters };
    }
    return undefined;
  };
};
