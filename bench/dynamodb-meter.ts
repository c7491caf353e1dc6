import {
  type ConsumedCapacity,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type IndexKeys,
  type Item,
  indexWriteUnits,
  itemSize,
  readUnits,
  tableWriteUnits,
} from './capacity-rules.ts';

/** Read and write capacity units. */
export interface Capacity {
  read: number;
  write: number;
}

/** What one measured piece of work cost in DynamoDB. */
export interface OperationCost {
  /** Calls by command name (`GetItem`, `TransactWriteItems`…), in the order first seen. */
  calls: Record<string, number>;
  /** Summed from each response's ConsumedCapacity, as DynamoDB Local reported it. */
  reported: Capacity;
  /** Computed by capacity-rules.ts from the items each call read or wrote. */
  expected: Capacity;
  /** Caveats on `expected` (e.g. a filtered query, whose real cost is higher). */
  notes: string[];
  /**
   * Largest item written or deleted, by kind (its `type` attribute, else its partition key's prefix):
   * an item near a KB boundary is one field away from costing more on every write.
   */
  itemSizes: Record<string, number>;
}

/** The table's key attributes and global indexes (TABLE in shared/data/table-definition.ts). */
export interface TableShape {
  partitionKey: string;
  sortKey: string;
  globalIndexes: readonly IndexKeys[];
}

export interface Meter {
  /** Runs `work` and returns what its DynamoDB calls cost. Measurements must not overlap. */
  measure<T>(work: () => Promise<T>): Promise<{ result: T; cost: OperationCost }>;
}

/** Data-plane commands that accept ReturnConsumedCapacity; anything else is counted but left alone. */
const CAPACITY_COMMANDS = new Set([
  'GetItem',
  'BatchGetItem',
  'TransactGetItems',
  'Query',
  'Scan',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const READ_COMMANDS = new Set(['GetItem', 'BatchGetItem', 'TransactGetItems', 'Query', 'Scan']);

// The SDK's wire-level shapes, loosely: the build step sees every command's marshalled input.
type Key = Item;
interface WriteTarget {
  tableName: string;
  key: Key;
  transactional: boolean;
  /** A ConditionCheck writes nothing but is billed as a transactional write of the item. */
  checkOnly: boolean;
}
interface TransactWriteEntry {
  Put?: { TableName: string; Item: Item };
  Update?: { TableName: string; Key: Key };
  Delete?: { TableName: string; Key: Key };
  ConditionCheck?: { TableName: string; Key: Key };
}
type Input = Record<string, unknown>;

const sumReported = (command: string, output: unknown, into: Capacity): void => {
  const consumed = (output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
  for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
      into.read += entry.ReadCapacityUnits ?? 0;
      into.write += entry.WriteCapacityUnits ?? 0;
    } else if (READ_COMMANDS.has(command)) {
      into.read += entry.CapacityUnits ?? 0;
    } else {
      into.write += entry.CapacityUnits ?? 0;
    }
  }
};

/**
 * Counts the DynamoDB calls a client makes and what they cost, by adding two middlewares to its
 * stack (this process only; the handler code is untouched):
 * - initialize step: counts the command, asks for `ReturnConsumedCapacity: 'TOTAL'` and sums what
 *   comes back;
 * - build step, where a DocumentClient command's input is already marshalled: looks at the items
 *   the call touches through `shadow`, an uninstrumented client on the same endpoint (each written
 *   item before and after, each read replayed), and prices them with capacity-rules.ts.
 * The shadow reads run only while a measurement is on, and nothing else writes meanwhile.
 */
export const installMeter = (client: DynamoDBClient, shadow: DynamoDBClient, table: TableShape): Meter => {
  let current: OperationCost | undefined;

  const keyOf = (item: Item): Key => {
    const key: Key = {};
    for (const name of [table.partitionKey, table.sortKey]) {
      const value = item[name];
      if (value !== undefined) key[name] = value;
    }
    return key;
  };
  const read = async (tableName: string, key: Key): Promise<Item | undefined> =>
    (await shadow.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const writeTargets = (command: string, input: Input): WriteTarget[] => {
    const single = (key: Key): WriteTarget[] => [
      { tableName: input.TableName as string, key, transactional: false, checkOnly: false },
    ];
    switch (command) {
      case 'PutItem':
        return single(keyOf(input.Item as Item));
      case 'UpdateItem':
      case 'DeleteItem':
        return single(input.Key as Key);
      case 'TransactWriteItems':
        return (input.TransactItems as TransactWriteEntry[]).map((entry) => {
          const request = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
          if (!request) throw new Error(`Unknown transaction entry ${JSON.stringify(entry)}`);
          const key = 'Item' in request ? keyOf(request.Item) : request.Key;
          return {
            tableName: request.TableName,
            key,
            transactional: true,
            checkOnly: !!entry.ConditionCheck,
          };
        });
      case 'BatchWriteItem':
        return Object.entries(
          input.RequestItems as Record<
            string,
            { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]
          >,
        ).flatMap(([tableName, requests]) =>
          requests.map((request) => ({
            tableName,
            key: request.PutRequest ? keyOf(request.PutRequest.Item) : (request.DeleteRequest?.Key as Key),
            transactional: false,
            checkOnly: false,
          })),
        );
      default:
        return [];
    }
  };

  /**
   * Runs the call and charges what the rules say it consumed to `bill`: writes from each target
   * item before and after, reads from the items the call returned.
   */
  const priced = async <T>(command: string, input: Input, call: () => Promise<T>, bill: OperationCost) => {
    const targets = writeTargets(command, input);
    if (targets.length > 0) {
      const before = await Promise.all(targets.map((t) => read(t.tableName, t.key)));
      let result: T;
      try {
        result = await call();
      } catch (error) {
        // A single write whose condition failed is still billed (for the item as it stands);
        // a cancelled transaction reports nothing, and the bench treats it as costing nothing.
        if ((error as Error).name === 'ConditionalCheckFailedException' && command !== 'TransactWriteItems') {
          bill.expected.write += tableWriteUnits(before[0], before[0], false);
        }
        throw error;
      }
      const after = await Promise.all(
        targets.map((t, i) => (t.checkOnly ? before[i] : read(t.tableName, t.key))),
      );
      targets.forEach((target, i) => {
        const item = after[i] ?? before[i];
        if (item && !target.checkOnly) {
          const kind = item.type?.S ?? item[table.partitionKey]?.S?.split('#')[0] ?? 'unknown';
          bill.itemSizes[kind] = Math.max(bill.itemSizes[kind] ?? 0, itemSize(item));
        }
        bill.expected.write += tableWriteUnits(before[i], after[i], target.transactional);
        for (const index of table.globalIndexes)
          bill.expected.write += indexWriteUnits(index, before[i], after[i]);
      });
      return result;
    }

    const result = await call();
    const size = (item: Item | undefined) => (item ? itemSize(item) : 0);
    switch (command) {
      case 'GetItem': {
        const item = await read(input.TableName as string, input.Key as Key);
        bill.expected.read += readUnits(size(item), input.ConsistentRead === true);
        break;
      }
      case 'BatchGetItem': {
        // Each item is rounded up on its own, found or not.
        for (const [tableName, request] of Object.entries(
          input.RequestItems as Record<string, { Keys: Key[]; ConsistentRead?: boolean }>,
        )) {
          for (const key of request.Keys) {
            bill.expected.read += readUnits(
              size(await read(tableName, key)),
              request.ConsistentRead === true,
            );
          }
        }
        break;
      }
      case 'TransactGetItems': {
        for (const { Get } of input.TransactItems as { Get: { TableName: string; Key: Key } }[]) {
          bill.expected.read += readUnits(size(await read(Get.TableName, Get.Key)), true) * 2;
        }
        break;
      }
      case 'Query':
      case 'Scan': {
        // The same request again, to see the items in wire form: their total size, rounded up once.
        const { ReturnConsumedCapacity: _, ...replay } = input;
        const page =
          command === 'Query'
            ? await shadow.send(new QueryCommand(replay as never))
            : await shadow.send(new ScanCommand(replay as never));
        const bytes = (page.Items ?? []).reduce((sum, item) => sum + itemSize(item), 0);
        const consistent = input.ConsistentRead === true && input.IndexName === undefined;
        bill.expected.read += readUnits(bytes, consistent);
        if (input.FilterExpression || input.ProjectionExpression) {
          const note = `${command} with a filter or projection: expected RCU counts the returned items only (a lower bound)`;
          if (!bill.notes.includes(note)) bill.notes.push(note);
        }
        break;
      }
      default:
        break;
    }
    return result;
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      const recording = current;
      if (!recording) return next(args);
      recording.calls[command] = (recording.calls[command] ?? 0) + 1;
      if (!CAPACITY_COMMANDS.has(command)) return next(args);
      const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
      sumReported(command, result.output, recording.reported);
      return result;
    },
    { step: 'initialize', name: 'benchMeterCount' },
  );

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      const recording = current;
      if (!recording || !CAPACITY_COMMANDS.has(command)) return next(args);
      return priced(command, args.input as Input, () => next(args), recording);
    },
    { step: 'build', name: 'benchMeterPrice' },
  );

  return {
    async measure(work) {
      if (current) throw new Error('Meter measurements must not overlap');
      const cost: OperationCost = {
        calls: {},
        reported: { read: 0, write: 0 },
        expected: { read: 0, write: 0 },
        notes: [],
        itemSizes: {},
      };
      current = cost;
      try {
        return { result: await work(), cost };
      } finally {
        current = undefined;
      }
    },
  };
};
