/**
 * A draft claims its month, then is appended; a cancel is appended, then gives the month back.
 * A crash between the two appends is simulated by an event store that fails the second one:
 * the month must not stay locked for good.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/stores/event-store.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem } from './fixtures.js';

let t: TestService;
afterEach(() => t.close());

/** Fails the next append of an event of `type`, once, as a crash would. */
function failing() {
  let failNext: string | undefined;
  return {
    failNextAppendOf(type: string) {
      failNext = type;
    },
    wrap(store: EventStore): EventStore {
      return {
        ...store,
        append: async (streamId, events, options) => {
          if (failNext !== undefined && events.some((event) => event.type === failNext)) {
            failNext = undefined;
            throw new Error('simulated crash before the append');
          }
          return store.append(streamId, events, options);
        },
        readStream: (...args) => store.readStream(...args),
        readAll: (...args) => store.readAll(...args),
        subscribeToAll: (...args) => store.subscribeToAll(...args),
        headPosition: () => store.headPosition(),
        ping: () => store.ping(),
        close: () => store.close(),
      };
    },
  };
}

async function startWith(crash: ReturnType<typeof failing>, clock: () => Date) {
  t = startTestService({ CHART_OF_ACCOUNTS: '' }, { wrapEventStore: crash.wrap, clock });
  await t.service.started;
  const hired = await t.request.post('/v1/employees').set(t.auth('people')).send({
    employeeId: 'E1',
    name: 'Sam Example',
    email: 'sam@example.com',
    department: 'Operations',
    title: 'Clerk',
    startDate: '2026-01-01',
    annualSalary: '24000.00',
    currency: 'EUR',
  });
  expect(hired.status, hired.text).toBe(201);
}

const draft = (runId: string) =>
  t.request.post('/v1/payroll-runs').set(t.auth('people')).send({ runId, period: '2026-03' });

describe('payroll months after a crash between two appends', () => {
  it('frees the month of a run cancelled before it gave the month back', async () => {
    const crash = failing();
    await startWith(crash, () => new Date());
    expect((await draft('A')).status).toBe(201);
    crash.failNextAppendOf('PayrollPeriodReleased');
    const cancelled = await t.request
      .post('/v1/payroll-runs/A/cancel')
      .set(t.auth('people'))
      .send({ reason: 'wrong adjustments' });
    expect(cancelled.status).toBe(500);
    const again = await draft('B');
    expect(again.status, again.text).toBe(201);
    expect(again.body.status).toBe('draft');
  });

  it('frees a month claimed by a draft that never landed, once the claim is a minute old', async () => {
    const crash = failing();
    let now = Date.parse('2026-03-31T09:00:00Z');
    await startWith(crash, () => new Date(now));
    crash.failNextAppendOf('PayrollRunDrafted');
    expect((await draft('LOST')).status).toBe(500);
    // The claimant may still be on its way for a moment: the month is taken.
    expectProblem(await draft('B'), 409, 'payroll-run-exists');
    now += 61_000;
    const taken = await draft('B');
    expect(taken.status, taken.text).toBe(201);
    // And the lost draft, retried, finds the month held by another run.
    expectProblem(await draft('LOST'), 409, 'payroll-run-exists');
  });
});
