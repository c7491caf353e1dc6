import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ShardCheckpoint {
  /** Last record handled (delivered, discarded or filtered out). */
  sequenceNumber?: string;
  /** The shard is closed and fully read. */
  finished?: boolean;
}

export interface Checkpoints {
  get(shardId: string): ShardCheckpoint | undefined;
  set(shardId: string, checkpoint: ShardCheckpoint): void;
  /** Writes pending changes (no-op in memory). */
  flush(): void;
}

/** In-memory checkpoints: an in-memory table starts empty anyway. */
export const memoryCheckpoints = (): Checkpoints => {
  const shards = new Map<string, ShardCheckpoint>();
  return {
    get: (id) => shards.get(id),
    set: (id, checkpoint) => shards.set(id, checkpoint),
    flush: () => {},
  };
};

/**
 * Per-shard checkpoints in a JSON file, so restarting `npm start` on persisted data resumes after
 * the last handled record instead of republishing every outbox item since TRIM_HORIZON. Keyed by
 * stream ARN: a recreated table has a new stream and starts fresh.
 */
export const fileCheckpoints = (file: string, streamArn: string): Checkpoints => {
  let shards: Record<string, ShardCheckpoint> = {};
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { streamArn?: string; shards?: typeof shards };
    if (saved.streamArn === streamArn && saved.shards) shards = saved.shards;
  } catch {
    // No file yet, or unreadable: start from TRIM_HORIZON.
  }
  let dirty = false;
  return {
    get: (id) => shards[id],
    set: (id, checkpoint) => {
      shards[id] = checkpoint;
      dirty = true;
    },
    flush: () => {
      if (!dirty) return;
      mkdirSync(dirname(file), { recursive: true });
      // Write then rename: a crash mid-write never leaves a truncated file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ streamArn, shards }, null, 2)}\n`);
      renameSync(temporary, file);
      dirty = false;
    },
  };
};
