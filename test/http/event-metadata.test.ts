import { afterEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash } from '../../src/commands/hash-chain.js';
import type { RecordedEvent } from '../../src/stores/event-store.js';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  cash,
  openAccount,
  openStandardAccounts,
  postEntry,
  reverseEntry,
  sale,
} from './fixtures.js';

const NOW = new Date('2026-11-02T10:11:12.345Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ZERO_HASH = '0'.repeat(64);

let t: TestService;
afterEach(async () => {
  await t.close();
});

function recomputedHash(event: RecordedEvent): string {
  return eventHash({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });
}

describe('event metadata (DESIGN.md §3)', () => {
  it('records actor, onBehalfOf, correlation, causation and request ids, times, version and hash', async () => {
    t = startTestService({}, { clock: () => NOW });

    const res = await openAccount(t, cash, 'finance', {
      'X-On-Behalf-Of': 'alice@example.com',
      'X-Correlation-Id': 'corr-123',
    });
    expect(res.status, res.text).toBe(201);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toBeTruthy();

    const events = await t.service.eventStore.readStream('account-1000');
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.id).toMatch(UUID);
    expect(event.type).toBe('AccountOpened');
    expect(event.data).toEqual({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
    expect(event.metadata).toEqual({
      actor: 'finance-app',
      onBehalfOf: 'alice@example.com',
      correlationId: 'corr-123',
      causationId: requestId,
      requestId,
      occurredAt: NOW.toISOString(),
      recordedAt: NOW.toISOString(),
      schemaVersion: 1,
      prevHash: ZERO_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(GENESIS_HASH).toBe(ZERO_HASH);
    expect(event.metadata.hash).toBe(recomputedHash(event));
  });

  it('uses the given X-Request-Id, and the generated correlation id when none is given', async () => {
    t = startTestService();
    const res = await openAccount(t, cash, 'admin', { 'X-Request-Id': 'req-777' });
    expect(res.status).toBe(201);

    const [event] = await t.service.eventStore.readStream('account-1000');
    expect(event?.metadata).toMatchObject({
      actor: 'admin-key',
      requestId: 'req-777',
      causationId: 'req-777',
      correlationId: res.headers['x-correlation-id'],
    });
    expect(event?.metadata).not.toHaveProperty('onBehalfOf');
    expect(event?.metadata).not.toHaveProperty('idempotencyKey');
    expect(Date.parse(event!.metadata.recordedAt as string)).not.toBeNaN();
    expect(event?.metadata.occurredAt).toBe(event?.metadata.recordedAt);
  });

  it('records the Idempotency-Key when one is given', async () => {
    t = startTestService();
    await openAccount(t, cash, 'finance', { 'Idempotency-Key': 'open-cash-1' });
    const [event] = await t.service.eventStore.readStream('account-1000');
    expect(event?.metadata.idempotencyKey).toBe('open-cash-1');
    expect(event?.metadata.hash).toBe(recomputedHash(event!));
  });

  it('chains each event of a stream to the previous one, and starts every stream at zeros', async () => {
    t = startTestService();
    await openStandardAccounts(t);
    const posted = await postEntry(t, sale('100.00', '2026-11-02', 'JE-chain'), 'finance', {
      'X-Correlation-Id': 'flow-1',
    });
    expect(posted.status).toBe(201);
    const reversed = await reverseEntry(
      t,
      'JE-chain',
      { date: '2026-11-03', reason: 'chain' },
      { 'X-Correlation-Id': 'flow-1', 'X-On-Behalf-Of': 'bob' },
    );
    expect(reversed.status).toBe(201);

    const [post, reversal] = await t.service.eventStore.readStream('journalEntry-JE-chain');
    expect(post?.type).toBe('JournalEntryPosted');
    expect(reversal?.type).toBe('JournalEntryReversed');
    expect(post?.metadata.prevHash).toBe(ZERO_HASH);
    expect(reversal?.metadata.prevHash).toBe(post?.metadata.hash);
    expect(post?.metadata.hash).toBe(recomputedHash(post!));
    expect(reversal?.metadata.hash).toBe(recomputedHash(reversal!));
    expect(reversal?.metadata.hash).not.toBe(post?.metadata.hash);
    expect(reversal?.metadata).toMatchObject({
      correlationId: 'flow-1',
      onBehalfOf: 'bob',
      requestId: reversed.headers['x-request-id'],
    });
    expect(reversal?.metadata.requestId).not.toBe(post?.metadata.requestId);

    // Each stream has its own chain: the other accounts start at zeros too.
    for (const code of ['1000', '4000', '1100', '4100']) {
      const [opened] = await t.service.eventStore.readStream(`account-${code}`);
      expect(opened?.metadata.prevHash).toBe(ZERO_HASH);
      expect(opened?.metadata.hash).toBe(recomputedHash(opened!));
    }
  });

  it('the recomputed hash would notice a changed event', async () => {
    t = startTestService();
    await openAccount(t, cash);
    const [event] = await t.service.eventStore.readStream('account-1000');
    const tampered = { ...event!, data: { ...event!.data, name: 'Petty cash' } };
    expect(recomputedHash(tampered)).not.toBe(event?.metadata.hash);
    const otherActor = { ...event!, metadata: { ...event!.metadata, actor: 'someone-else' } };
    expect(recomputedHash(otherActor)).not.toBe(event?.metadata.hash);
  });
});
