/** Who is calling: the user behind a request, or a system process (consumer, scheduled job). */
export const ROLES = ['admin', 'manager', 'sales', 'marketing', 'support'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** Cognito `sub` of the user, or `system:<process>` for background work. */
  userId: string;
  roles: readonly Role[];
  /** Carried into every event this request causes, so a trace can follow it across the bus. */
  correlationId: string;
}

export const hasAnyRole = (actor: Actor, roles: readonly Role[]): boolean =>
  actor.roles.some((role) => roles.includes(role));

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
