import { describe, expect, it } from 'vitest';
import { auditAccessEventSchemas } from '../../../src/domain/audit/audit-access.js';
import { ledgerEventSchemas } from '../../../src/domain/ledger/events.js';
import { receivablesEventSchemas } from '../../../src/domain/receivables/events.js';
import { auditEventsProjection } from '../../../src/projections/audit/audit-projection.js';
import type { RecordedEvent } from '../../../src/stores/event-store.js';
import { encodePosition } from '../../../src/stores/read-model-store.js';
import { given } from '../given-events.js';

/** A type no module declares yet: `eventTypes: 'all'` takes it as it takes the others. */
const FUTURE_TYPE = 'ShipmentDispatched';

const EVERY_TYPE = [
  ...Object.keys(ledgerEventSchemas),
  ...Object.keys(receivablesEventSchemas),
  ...Object.keys(auditAccessEventSchemas),
  FUTURE_TYPE,
];

function recorded(position: bigint, type: string, metadata: RecordedEvent['metadata'] = {}) {
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    type,
    streamId: `record-R${position}`,
    revision: 0n,
    position,
    data: { n: Number(position) },
    metadata,
    recordedAt: '2026-11-02T10:00:00.000Z',
  } satisfies RecordedEvent;
}

describe('audit_events projection', () => {
  it('keeps one document per event of every type, those of later modules too', () => {
    const events = EVERY_TYPE.map((type, index) => recorded(BigInt(index + 1), type));
    expect(events.length).toBeGreaterThan(10);
    const fold = given(auditEventsProjection, events);
    fold.thenIds(events.map((event) => encodePosition(event.position)));
    expect([...fold.documents.values()].map((document) => document.type)).toEqual(EVERY_TYPE);
  });

  it('records who wrote an event, when, for whom and within which request', () => {
    const event = recorded(7n, FUTURE_TYPE, {
      actor: 'logistics-app',
      onBehalfOf: 'carla',
      correlationId: 'order-9',
      causationId: 'cause-1',
      requestId: 'req-1',
      occurredAt: '2026-11-01',
      recordedAt: '2026-11-02T09:59:59.000Z',
    });
    given(auditEventsProjection, [event]).then(encodePosition(7n), {
      position: '00000000000000000007',
      stream: 'record-R7',
      entityType: 'record',
      entityId: 'R7',
      revision: 0,
      eventId: event.id,
      type: FUTURE_TYPE,
      occurredAt: '2026-11-01',
      // The time sealed in the event, not the store's commit time.
      recordedAt: '2026-11-02T09:59:59.000Z',
      actor: 'logistics-app',
      onBehalfOf: 'carla',
      correlationId: 'order-9',
      causationId: 'cause-1',
      requestId: 'req-1',
      data: { n: 7 },
    });
  });

  it('keeps nulls for what the metadata does not say, and the store time as recordedAt', () => {
    given(auditEventsProjection, [recorded(3n, 'PeriodClosed')]).then(encodePosition(3n), {
      position: '00000000000000000003',
      stream: 'record-R3',
      entityType: 'record',
      entityId: 'R3',
      revision: 0,
      eventId: recorded(3n, 'PeriodClosed').id,
      type: 'PeriodClosed',
      occurredAt: null,
      recordedAt: '2026-11-02T10:00:00.000Z',
      actor: null,
      onBehalfOf: null,
      correlationId: null,
      causationId: null,
      requestId: null,
      data: { n: 3 },
    });
  });
});
