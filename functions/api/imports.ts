import * as api from '#shared/api/imports';
import type { ImportContentType } from '#shared/domain/import-limits';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { ok } from '#shared/http/reply';
import { mediaTypeOf } from '#shared/http/request';
import { httpApi, route } from '#shared/middleware/http-api';
import type { ImportJob } from '#shared/schemas/import';
import * as imports from '#shared/use-cases/imports';

const accepted = (job: ImportJob) => ({
  status: 202,
  body: job,
  headers: { Location: `/imports/${job.id}` },
});

/** Imports API (routes in shared/api/imports.ts); the rows are written by the import worker. */
export const handler = httpApi(
  route(api.startImport, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const job = await imports.startImport(request.actor, {
          // parseRequest already refused any other media type (415).
          contentType: mediaTypeOf(request.rawEvent) as ImportContentType,
          text: request.body,
        });
        return { record: { importId: job.id }, reply: accepted(job) };
      },
      replay: async ({ importId }) => accepted(await imports.getImport(request.actor, importId)),
    }),
  ),
  route(api.getImport, async ({ actor, path }) => ok(await imports.getImport(actor, path.id))),
);
