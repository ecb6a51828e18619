import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH } from '../../src/commands/hash-chain.js';
import { sealEvent } from '../../src/commands/seal-event.js';
import { createAuditQueries } from '../../src/projections/audit/audit-queries.js';
import type { RecordedEvent } from '../../src/stores/event-store.js';
import type { ReadModelStore } from '../../src/stores/read-model-store.js';
import { waitUntil } from '../../src/wait-until.js';
import { startTestService, testKeys, type TestService } from '../support/test-service.js';

/**
 * The export streams: it reads the read model one page at a time and only as fast as the
 * client takes the rows, so its memory does not grow with the result, and it stops when the
 * client goes away.
 */
const RECORDS = 3000;
const EVENTS_PER_RECORD = 10;
const TOTAL = RECORDS * EVENTS_PER_RECORD;
let t: TestService;
let head: bigint;

beforeAll(async () => {
  t = startTestService();
  await t.service.started;
  // Written straight to the store: the export cares about volume, not about any module.
  const appends: Promise<unknown>[] = [];
  for (let record = 0; record < RECORDS; record += 1) {
    let prevHash = GENESIS_HASH;
    const events = Array.from({ length: EVENTS_PER_RECORD }, (_, index) => {
      const sealed = sealEvent({
        id: crypto.randomUUID(),
        type: 'TestRecordNoted',
        data: {
          record,
          index,
          note: `note ${index} of record ${record}, padded ${'x'.repeat(200)}`,
        },
        context: {
          actor: 'loader',
          correlationId: `load-${record}`,
          causationId: 'test',
          requestId: 'test',
        },
        recordedAt: '2026-11-23T00:00:00.000Z',
        prevHash,
      });
      prevHash = sealed.metadata.hash as string;
      return sealed;
    });
    appends.push(
      t.service.eventStore.append(`testRecord-${record}`, events, {
        expectedRevision: 'no_stream',
      }),
    );
  }
  await Promise.all(appends);
  head = await t.service.eventStore.headPosition();
  t.service.projections.wake();
  expect(await t.service.projections.awaitPosition(head, ['audit_events'], 60_000)).toBe(true);
}, 120_000);

afterAll(async () => {
  await t.close();
});

function auditPages(store: ReadModelStore) {
  const find = vi.spyOn(store, 'find');
  return {
    count: () =>
      find.mock.calls.filter(([collection]) => collection.startsWith('audit_events')).length,
    restore: () => find.mockRestore(),
  };
}

describe('the audit export', () => {
  it('reads no further ahead than the client takes: one page at a time', async () => {
    const queries = createAuditQueries({
      readModels: t.service.readModels,
      collection: (name) => t.service.projections.collection(name),
    });
    const pages = auditPages(t.service.readModels);
    try {
      const rows = queries.scanEvents({ type: 'TestRecordNoted', upToPosition: head });
      const take = async (count: number) => {
        for (let taken = 0; taken < count; taken += 1) expect((await rows.next()).done).toBe(false);
      };
      // A page is read when its first row is asked for, not before.
      await take(500);
      expect(pages.count()).toBe(1);
      await take(1);
      expect(pages.count()).toBe(2);
      // A consumer that has taken 600 rows has caused two page reads, whatever the total.
      await take(99);
      expect(pages.count()).toBe(2);
      // Not a wait for anything: an idle consumer is the case under test, and nothing may be
      // read while it stays idle.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pages.count()).toBe(2);
      await rows.return(undefined);
    } finally {
      pages.restore();
    }
  });

  it('stops reading when the client disconnects, and records the export as incomplete', async () => {
    const server = t.service.app.listen(0);
    const pages = auditPages(t.service.readModels);
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        httpRequest(
          {
            port,
            path: '/v1/audit/export?format=ndjson&type=TestRecordNoted',
            headers: {
              Authorization: `Bearer ${testKeys.auditor}`,
              'X-Correlation-Id': 'export-abandoned',
            },
          },
          resolve,
        )
          .on('error', reject)
          .end();
      });
      expect(response.statusCode).toBe(200);
      const firstChunk = await new Promise<Buffer>((resolve) => response.once('data', resolve));
      expect(firstChunk.toString()).toMatch(/^\{"position":/);
      response.destroy();

      // The export notices, stops reading pages and records what it sent.
      const recorded = await waitForAccess('export-abandoned');
      const pagesAtStop = pages.count();
      // Not a wait for anything (the record above is written once the export has stopped): no
      // page may be read in the time after it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pages.count()).toBe(pagesAtStop);
      expect(pagesAtStop).toBeLessThan(TOTAL / 500);
      expect(recorded.data).toMatchObject({ operation: 'export', completed: false });
      expect(recorded.data.rowCount).toBeGreaterThan(0);
      expect(recorded.data.rowCount).toBeLessThan(TOTAL);
    } finally {
      pages.restore();
      server.close();
    }
  });

  it('streams every row of a large export with a complete record of it', async () => {
    const res = await t.request
      .get('/v1/audit/export?format=csv&type=TestRecordNoted')
      .set(t.auth('auditor'))
      .set({ 'X-Correlation-Id': 'export-whole' });
    expect(res.status).toBe(200);
    const lines = res.text.split('\r\n').filter((line) => line !== '');
    expect(lines).toHaveLength(TOTAL + 1);
    const recorded = await waitForAccess('export-whole');
    expect(recorded.data).toMatchObject({ rowCount: TOTAL, completed: true });
  });
});

/** The export's access record, written once the export has ended (however it ended). */
async function waitForAccess(
  correlationId: string,
): Promise<{ data: { operation: string; completed: boolean; rowCount: number } }> {
  let found: RecordedEvent | undefined;
  const recorded = await waitUntil(
    async () => {
      const events = await t.service.eventStore.readAll({
        after: head,
        maxCount: Infinity,
        filter: { eventTypes: ['AuditTrailAccessed'] },
      });
      found = events.find((event) => event.metadata.correlationId === correlationId);
      return found !== undefined;
    },
    { timeoutMs: 5_000 },
  );
  if (!recorded) throw new Error(`no access recorded for ${correlationId}`);
  return found as unknown as { data: { operation: string; completed: boolean; rowCount: number } };
}
