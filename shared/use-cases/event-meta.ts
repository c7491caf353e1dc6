import type { Actor } from '#shared/domain/actor';
import { newId } from '#shared/ids';

/** Metadata of an event caused by `actor`: a new id, when, and the request it came from. */
export const eventMeta = (actor: Actor, occurredAt: string) => ({
  eventId: newId(),
  occurredAt,
  correlationId: actor.correlationId,
});
