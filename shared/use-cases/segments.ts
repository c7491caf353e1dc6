import { countAudience } from '#shared/data/marketable';
import * as store from '#shared/data/segments';
import type { Actor } from '#shared/domain/actor';
import { NotFound, VersionMismatch } from '#shared/domain/errors';
import {
  applySegmentPatch,
  assertMayManageSegments,
  assertRuleFitsDefinitions,
  newSegment,
} from '#shared/domain/segment';
import { newId, nowIso } from '#shared/ids';
import type {
  CreateSegmentRequest,
  Segment,
  SegmentPreview,
  UpdateSegmentRequest,
} from '#shared/schemas/segment';
import { customFieldDefinitions } from './custom-fields.ts';
import { retryLostRaces } from './retry-races.ts';

/** Segment use cases: the rules of shared/domain/segment.ts over shared/data/segments.ts and the marketable index. */

const readForChange = async (id: string, ifMatch?: number | '*'): Promise<Segment> => {
  const current = await store.getSegment(id, { consistent: true });
  if (!current) throw new NotFound(`No segment ${id}.`);
  if (typeof ifMatch === 'number' && ifMatch !== current.version) {
    throw new VersionMismatch(`The segment is at version ${current.version}, not ${ifMatch}.`);
  }
  return current;
};

/**
 * 1. Check the caller may manage segments and the rule's custom-field conditions fit the
 *    workspace's definitions (422 naming the condition).
 * 2. Write the segment (version 1).
 */
export const createSegment = async (actor: Actor, input: CreateSegmentRequest): Promise<Segment> => {
  assertMayManageSegments(actor);
  assertRuleFitsDefinitions(input.rule, await customFieldDefinitions());
  const segment = newSegment(input, actor, { id: newId(), now: nowIso() });
  await store.insertSegment(segment);
  return segment;
};

/** Every role may read every segment. */
export const getSegment = async (_actor: Actor, id: string): Promise<Segment> => {
  const segment = await store.getSegment(id);
  if (!segment) throw new NotFound(`No segment ${id}.`);
  return segment;
};

export const listSegments = async (_actor: Actor, page: { limit: number; cursor?: string }) =>
  store.listSegments(page);

/**
 * 1. Check the caller may manage segments; read the segment, check If-Match.
 * 2. Apply the merge patch (a new rule checked against the definitions); nothing changed → as is.
 * 3. Write the next version conditionally (lost race: 412 with If-Match, else re-applied).
 */
export const updateSegment = async (
  actor: Actor,
  id: string,
  patch: UpdateSegmentRequest,
  ifMatch?: number | '*',
): Promise<Segment> => {
  assertMayManageSegments(actor);
  if (patch.rule) assertRuleFitsDefinitions(patch.rule, await customFieldDefinitions());
  return retryLostRaces(
    async () => {
      const current = await readForChange(id, ifMatch);
      const { next, changed } = applySegmentPatch(current, patch, actor, nowIso());
      if (changed.length === 0) return current;
      await store.replaceSegment(next, current.version);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};

export const deleteSegment = async (actor: Actor, id: string, ifMatch?: number | '*'): Promise<void> => {
  assertMayManageSegments(actor);
  await retryLostRaces(async () => store.removeSegment(await readForChange(id, ifMatch)), {
    versionPinned: typeof ifMatch === 'number',
  });
};

/**
 * 1. Read the segment (every role may preview).
 * 2. Build its audience from the marketable index (every shard, in parallel) and count it,
 *    keeping the first 10 people as a sample.
 */
export const previewSegment = async (actor: Actor, id: string): Promise<SegmentPreview> => {
  const segment = await getSegment(actor, id);
  const { count, sample } = await countAudience(segment.rule, { sampleSize: 10 });
  return {
    count,
    sample: sample.map((member) => ({
      customerId: member.customerId,
      name: member.name,
      email: member.email,
      lifecycleStage: member.view.lifecycleStage,
    })),
  };
};
