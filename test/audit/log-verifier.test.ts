import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { openApiChecker, operationsOf, type OpenApiDocument } from '../support/openapi-checker.js';
import { createAuditCommands } from '../../src/commands/audit/audit-commands.js';
import { createCommandHandler } from '../../src/commands/command-handler.js';
import { eventHash } from '../../src/commands/hash-chain.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import { AUDIT_DIGEST_STREAM } from '../../src/domain/audit/digest-checkpoint.js';
import { createLogger } from '../../src/logger.js';
import { LEGACY_DIGESTS_COLLECTION } from '../../src/projections/audit/checkpoint-evidence.js';
import { checkLink, foldDigest } from '../../src/projections/audit/log-integrity.js';
import {
  createLogVerifier,
  type LogVerifierDeps,
  type VerificationReport,
} from '../../src/projections/audit/log-verifier.js';
import type { EventStore } from '../../src/stores/event-store.js';
import { encodePosition } from '../../src/stores/read-model-store.js';
import { startTestService, type TestService } from '../support/test-service.js';

/**
 * Tampering with the event store of a real service, behind its back: through a second SQLite
 * connection, or byte by byte in the file itself. GET /v1/audit/verify must say exactly which
 * stream, revision and position is wrong and how, and must not blame the streams left alone.
 */

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

const services: TestService[] = [];
const closed = new Set<TestService>();
const dirs: string[] = [];

function start(env: Record<string, string> = {}): TestService {
  const service = startTestService({ CHART_OF_ACCOUNTS: '', ...env });
  services.push(service);
  return service;
}

/** Closes only the service (its SQLite handles), leaving its data directory in place. */
async function stop(service: TestService): Promise<void> {
  closed.add(service);
  await service.service.close();
}

afterEach(async () => {
  for (const service of services.splice(0)) {
    if (closed.has(service)) rmSync(service.dataDir, { recursive: true, force: true });
    else await service.close();
  }
  closed.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const dbFile = (dir: string) => join(dir, 'backoffice.db');

/** A second connection to the event store file, as someone with file access would open it. */
function tamper<T>(dir: string, change: (db: Database.Database) => T): T {
  const db = new Database(dbFile(dir));
  try {
    db.pragma('busy_timeout = 5000');
    return change(db);
  } finally {
    db.close();
  }
}

function row(db: Database.Database, stream: string, revision: number): Row {
  const found = db
    .prepare('SELECT * FROM events WHERE stream_id = ? AND revision = ?')
    .get(stream, revision) as Row | undefined;
  if (!found) throw new Error(`no event ${stream}@${revision}`);
  return found;
}

function lastRow(db: Database.Database, stream: string): Row {
  return db
    .prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1')
    .get(stream) as Row;
}

function setData(db: Database.Database, target: Row, data: unknown): void {
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(
    JSON.stringify(data),
    target.position,
  );
}

/**
 * A consistent rewrite: the first payment on INV-1 gets another reference, and every later hash
 * of the stream is recomputed, so each chain is sound again. Only a checkpoint can tell.
 */
function rewriteFirstPayment(db: Database.Database): Row {
  const rows = db
    .prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision')
    .all('invoice-INV-1') as Row[];
  expect(rows).toHaveLength(3);
  const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
  let prevHash = JSON.parse(rows[0]!.metadata).hash as string;
  for (const stored of rows.slice(1)) {
    const data = JSON.parse(stored.data);
    if (stored.revision === 1) data.reference = 'SEPA P9';
    const metadata = { ...JSON.parse(stored.metadata), prevHash };
    metadata.hash = eventHash({ id: stored.event_id, type: stored.type, data, metadata });
    prevHash = metadata.hash;
    update.run(JSON.stringify(data), JSON.stringify(metadata), stored.position);
  }
  return rows[1]!;
}

const customer = (customerId: string, name: string) => ({
  customerId,
  name,
  email: `billing@${customerId.toLowerCase()}.example`,
  billingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  currency: 'EUR',
  paymentTermsDays: 30,
});

const invoice = (invoiceId: string, customerId: string, unitPrice: string) => ({
  invoiceId,
  customerId,
  issueDate: '2026-10-01',
  lines: [
    { description: 'Widgets', quantity: '3', unitPrice, revenueAccount: '40000' },
    { description: 'Setup', quantity: '1', unitPrice: '25.00', revenueAccount: '40000' },
  ],
});

const payment = (paymentId: string, amount: string) => ({
  paymentId,
  amount,
  receivedOn: '2026-10-15',
  method: 'bank_transfer',
  reference: `SEPA ${paymentId}`,
});

async function post(t: TestService, path: string, body: object): Promise<string> {
  const res = await t.request.post(path).set(t.auth('finance')).send(body);
  expect(res.status, res.text).toBe(201);
  return res.body.position as string;
}

/**
 * Waits until the postings reactor has booked everything up to `position`, and its entries: a
 * read of the journal entries waits for it (its entries feed them), one of the invoices would
 * not.
 */
async function settle(t: TestService, position: string): Promise<void> {
  const res = await t.request
    .get(`/v1/ledger/journal-entries?consistentWith=${position}`)
    .set(t.auth('reports'));
  expect(res.status, res.text).toBe(200);
}

/**
 * Realistic activity: customers, invoices (each booked to the ledger by the postings reactor),
 * payments (booked too) and a manual journal entry.
 *
 * invoice-INV-1: InvoiceIssued, PaymentReceived (P1), PaymentReceived (P2)
 * invoice-INV-2: InvoiceIssued, PaymentReceived (P3)
 */
async function seed(t: TestService): Promise<void> {
  await t.service.started;
  await post(t, '/v1/customers', customer('ACME', 'Acme GmbH'));
  await post(t, '/v1/customers', customer('BETA', 'Beta Handel KG'));
  await post(t, '/v1/customers', customer('GAMMA', 'Gamma Werke AG'));
  await post(t, '/v1/invoices', invoice('INV-1', 'ACME', '19.99'));
  await post(t, '/v1/invoices', invoice('INV-2', 'BETA', '47.11'));
  await post(t, '/v1/invoices', invoice('INV-3', 'GAMMA', '3.50'));
  await post(t, '/v1/invoices/INV-1/payments', payment('P1', '20.00'));
  await post(t, '/v1/invoices/INV-1/payments', payment('P2', '30.00'));
  await post(t, '/v1/invoices/INV-2/payments', payment('P3', '50.00'));
  const last = await post(t, '/v1/ledger/journal-entries', {
    entryId: 'JE-1',
    date: '2026-11-02',
    description: 'Office supplies paid in cash',
    lines: [
      { account: '60000', debit: '12.34' },
      { account: '10000', credit: '12.34' },
    ],
  });
  await settle(t, last);
}

let verifyAnswers: ((res: Response) => string[]) | undefined;

/** Every report in this file is also checked against what the OpenAPI document promises. */
async function verify(t: TestService, mode?: 'full' | 'incremental'): Promise<VerificationReport> {
  const res = await t.request
    .get(`/v1/audit/verify${mode ? `?mode=${mode}` : ''}`)
    .set(t.auth('auditor'));
  expect(res.status, res.text).toBe(200);
  if (!verifyAnswers) {
    const document = (await t.request.get('/openapi.json')).body as OpenApiDocument;
    const operation = operationsOf(document).find((op) => op.operationId === 'verifyAuditLog')!;
    const checker = openApiChecker(document);
    verifyAnswers = (answer) => checker.problemsWith(operation, answer);
  }
  expect(verifyAnswers(res)).toEqual([]);
  return res.body as VerificationReport;
}

const allEvents = (t: TestService, after = 0n) =>
  t.service.eventStore.readAll({ after, maxCount: 100_000 });

const streams = (report: VerificationReport) => report.brokenStreams.map((broken) => broken.stream);
const kindsOf = (report: VerificationReport) =>
  report.brokenStreams.map((broken) => broken.problems.map((problem) => problem.kind));

/** The digest checkpoints the log holds: the evidence later verifications compare with. */
const checkpointEvents = (t: TestService) => t.service.eventStore.readStream(AUDIT_DIGEST_STREAM);

/** The audit module's commands on a store, through the one command handler. */
function auditCommandsOn(eventStore: EventStore, clock: () => Date) {
  const handle = createCommandHandler({
    eventStore,
    clock,
    ids: uuidGenerator,
    locks: createKeyedLock(),
    maxAttempts: 5,
  });
  return createAuditCommands({ handle, clock, ids: uuidGenerator });
}

/** A verifier on the service's stores, as the composition root wires it, with its own settings. */
function verifierOf(
  t: TestService,
  clock: () => Date,
  settings: Pick<LogVerifierDeps, 'checkpointEvery' | 'recheckSegments'>,
  eventStore = t.service.eventStore,
) {
  return createLogVerifier({
    eventStore,
    readModels: t.service.readModels,
    recordCheckpoints: auditCommandsOn(eventStore, clock).recordCheckpoints,
    logger: createLogger('silent'),
    clock,
    ...settings,
  });
}

/** Every stream of the log has sound chains: a precondition of each tampering case. */
async function expectIntact(t: TestService): Promise<VerificationReport> {
  const report = await verify(t);
  expect(report.status, JSON.stringify(report.brokenStreams)).toBe('intact');
  return report;
}

describe('GET /v1/audit/verify on an untouched log', () => {
  let t: TestService;
  beforeEach(async () => {
    t = start();
    await seed(t);
  });

  it('reports intact, checks every event, and a second run confirms the saved digest', async () => {
    const before = await allEvents(t);
    const first = await verify(t);
    expect(first).toMatchObject({
      mode: 'full',
      status: 'intact',
      fromPosition: '0',
      toPosition: before.at(-1)!.position.toString(),
      eventsChecked: before.length,
      streamsChecked: new Set(before.map((event) => event.streamId)).size,
      eventsRechecked: 0,
      brokenStreams: [],
      brokenStreamCount: 0,
      checkpoints: { compared: 0, mismatched: [] },
    });
    expect(first.digest).toEqual({
      position: before.at(-1)!.position.toString(),
      events: before.length,
      value: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // The digest is the fold of the log as stored, recomputed here independently.
    let digest = '0'.repeat(64);
    for (const event of before)
      digest = foldDigest(digest, event, checkLink(undefined, event).contentHash);
    expect(first.digest.value).toBe(digest);

    // The first run appended its checkpoint to the log, then the verify call itself was recorded.
    const after = await allEvents(t, before.at(-1)!.position);
    expect(after.map((event) => event.type)).toEqual([
      'AuditDigestCheckpointed',
      'AuditTrailAccessed',
    ]);

    const second = await verify(t);
    expect(second).toMatchObject({
      status: 'intact',
      eventsChecked: before.length + 2,
      brokenStreamCount: 0,
      checkpoints: { mismatched: [] },
    });
    expect(second.checkpoints.compared).toBeGreaterThanOrEqual(1);
    // The same log up to the first run's position gives the same digest: the second run's
    // digest is the first one's carried on over the two events appended since.
    for (const event of after)
      digest = foldDigest(digest, event, checkLink(undefined, event).contentHash);
    expect(second.digest).toEqual({
      position: after.at(-1)!.position.toString(),
      events: before.length + 2,
      value: digest,
    });
  });

  it('records the verification itself as an AuditTrailAccessed event', async () => {
    const report = await expectIntact(t);
    const head = await t.service.eventStore.headPosition();
    const res = await t.request
      .get(`/v1/audit/events?type=AuditTrailAccessed&consistentWith=${head}`)
      .set(t.auth('auditor'));
    expect(res.status, res.text).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        type: 'AuditTrailAccessed',
        actor: 'auditor',
        position: head.toString(),
        data: {
          operation: 'verify',
          filters: { mode: 'full' },
          rowCount: report.eventsChecked,
          completed: true,
          outcome: 'intact',
          // The checkpoint the run left in the log, which later runs must find.
          checkpoint: {
            revision: '0',
            position: report.digest.position,
            digest: report.digest.value,
          },
        },
      }),
    ]);
  });

  it('refuses a key without audit:read, and unknown modes or query fields', async () => {
    const res = await t.request.get('/v1/audit/verify').set(t.auth('reports'));
    expect(res.status, res.text).toBe(403);
    expect((await t.request.get('/v1/audit/verify')).status).toBe(401);
    const bogus = await t.request.get('/v1/audit/verify?mode=bogus').set(t.auth('auditor'));
    expect(bogus.status, bogus.text).toBe(400);
    expect(bogus.body.errors.map((error: { path: string }) => error.path)).toContain('query.mode');
    const unknown = await t.request.get('/v1/audit/verify?since=5').set(t.auth('auditor'));
    expect(unknown.status, unknown.text).toBe(400);
    const consistent = await t.request
      .get('/v1/audit/verify?consistentWith=1')
      .set(t.auth('auditor'));
    expect(consistent.status, consistent.text).toBe(400);
    // None of the refused calls verified anything, so none was recorded.
    const recorded = (await allEvents(t)).filter((event) => event.type === 'AuditTrailAccessed');
    expect(recorded).toEqual([]);
  });
});

describe('GET /v1/audit/verify finds tampering', () => {
  let t: TestService;
  beforeEach(async () => {
    t = start();
    await seed(t);
  });

  it('one byte flipped in the SQLite file: content-altered on exactly that event', async () => {
    const dir = t.dataDir;
    await expectIntact(t);
    const target = tamper(dir, (db) => row(db, 'customer-GAMMA', 0));
    // The name is stored sealed; the currency is plain text, one byte of which is flipped.
    expect(JSON.parse(target.data).currency).toBe('EUR');
    await stop(t);

    // Closing the last connection checkpoints the WAL into the file; make sure of it.
    const wal = `${dbFile(dir)}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      tamper(dir, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
    }
    const bytes = readFileSync(dbFile(dir));
    // In the row's record event_id, type and data are stored back to back: unique in the file.
    const prefix = target.event_id + target.type;
    const needle = Buffer.from(prefix + target.data, 'utf8');
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(needle, at + 1)).toBe(-1);
    const offset =
      at +
      Buffer.byteLength(prefix) +
      Buffer.byteLength(
        target.data.slice(0, target.data.indexOf('"currency":"') + '"currency":"'.length),
      );
    expect(String.fromCharCode(bytes[offset]!)).toBe('E');
    bytes[offset] = 'F'.charCodeAt(0);
    writeFileSync(dbFile(dir), bytes);

    const again = start({ DATA_DIR: dir });
    await again.service.started;
    const [stored] = await again.service.eventStore.readStream('customer-GAMMA');
    expect(stored!.data).toMatchObject({ currency: 'FUR' });

    const report = await verify(again);
    expect(report.status).toBe('tampered');
    expect(report.brokenStreamCount).toBe(1);
    expect(report.brokenStreams).toEqual([
      {
        stream: 'customer-GAMMA',
        entityType: 'customer',
        entityId: 'GAMMA',
        position: target.position.toString(),
        revision: '0',
        eventId: target.event_id,
        eventType: 'CustomerRegistered',
        problems: [{ kind: 'content-altered', detail: expect.any(String) }],
      },
    ]);
    // The checkpoint of the first run no longer matches either.
    expect(report.checkpoints.mismatched).toHaveLength(1);
  });

  it('data changed by UPDATE through a second connection: content-altered', async () => {
    const target = tamper(t.dataDir, (db) => {
      const found = row(db, 'invoice-INV-2', 0);
      const data = JSON.parse(found.data);
      data.lines[0].unitPrice = '4.71';
      setData(db, found, data);
      return found;
    });
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(report.brokenStreamCount).toBe(1);
    expect(report.brokenStreams[0]).toMatchObject({
      stream: 'invoice-INV-2',
      position: target.position.toString(),
      revision: '0',
      eventId: target.event_id,
      eventType: 'InvoiceIssued',
    });
    expect(kindsOf(report)).toEqual([['content-altered']]);
  });

  it('a middle event deleted: revision-gap and broken-link at the next event', async () => {
    const next = tamper(t.dataDir, (db) => {
      db.prepare('DELETE FROM events WHERE position = ?').run(row(db, 'invoice-INV-1', 1).position);
      return row(db, 'invoice-INV-1', 2);
    });
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(streams(report)).toEqual(['invoice-INV-1']);
    expect(report.brokenStreams[0]).toMatchObject({
      position: next.position.toString(),
      revision: '2',
      eventId: next.event_id,
    });
    expect(kindsOf(report)).toEqual([['revision-gap', 'broken-link']]);
  });

  it('two events of a stream reordered: reported on that stream', async () => {
    const [first, second] = tamper(t.dataDir, (db) => {
      const one = row(db, 'invoice-INV-1', 1);
      const two = row(db, 'invoice-INV-1', 2);
      const setRevision = db.prepare('UPDATE events SET revision = ? WHERE position = ?');
      db.transaction(() => {
        setRevision.run(999_999, one.position);
        setRevision.run(1, two.position);
        setRevision.run(2, one.position);
      })();
      return [one, two];
    });
    expect(first.position).toBeLessThan(second.position);
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(streams(report)).toEqual(['invoice-INV-1']);
    // In log order the old revision 1 comes first, now numbered 2: a gap after revision 0.
    expect(report.brokenStreams[0]).toMatchObject({
      position: first.position.toString(),
      revision: '2',
      eventId: first.event_id,
    });
    expect(kindsOf(report)[0]).toContain('revision-gap');
  });

  it('the contents of two events swapped, positions and revisions kept: broken-link', async () => {
    const [first] = tamper(t.dataDir, (db) => {
      const one = row(db, 'invoice-INV-1', 1);
      const two = row(db, 'invoice-INV-1', 2);
      const setContent = db.prepare(
        'UPDATE events SET event_id = ?, type = ?, data = ?, metadata = ? WHERE position = ?',
      );
      db.transaction(() => {
        setContent.run(two.event_id, two.type, two.data, two.metadata, one.position);
        setContent.run(one.event_id, one.type, one.data, one.metadata, two.position);
      })();
      return [one, two];
    });
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(streams(report)).toEqual(['invoice-INV-1']);
    // Each event still hashes to itself, but revision 1 now names P2's predecessor.
    expect(report.brokenStreams[0]).toMatchObject({
      position: first.position.toString(),
      revision: '1',
    });
    expect(kindsOf(report)).toEqual([['broken-link']]);
  });

  it('a stream rewritten with recomputed hashes: the checkpoint catches what chains cannot', async () => {
    const verified = await expectIntact(t);
    const checkpointsBefore = (await checkpointEvents(t)).length;
    const altered = tamper(t.dataDir, rewriteFirstPayment);

    const report = await verify(t);
    expect(report.status).toBe('tampered');
    // Every chain is sound again...
    expect(report.brokenStreamCount).toBe(0);
    // ...but the segment the first run pinned is not what it verified.
    expect(report.checkpoints.mismatched).toEqual([
      {
        fromPosition: '0',
        toPosition: verified.toPosition,
        verifiedAt: expect.any(String),
        eventsThen: verified.eventsChecked,
        eventsNow: verified.eventsChecked,
        digestThen: verified.digest.value,
        digestNow: expect.not.stringMatching(verified.digest.value),
      },
    ]);
    const mismatch = report.checkpoints.mismatched[0]!;
    expect(BigInt(mismatch.fromPosition)).toBeLessThan(BigInt(altered.position));
    expect(BigInt(altered.position)).toBeLessThanOrEqual(BigInt(mismatch.toPosition));

    // The tampered run saved no checkpoint: an incremental run still starts from the one
    // before the change, re-checks its segment and reports the change again.
    expect((await checkpointEvents(t)).length).toBe(checkpointsBefore);
    const incremental = await verify(t, 'incremental');
    expect(incremental).toMatchObject({
      mode: 'incremental',
      status: 'tampered',
      fromPosition: verified.toPosition,
      brokenStreamCount: 0,
    });
    expect(incremental.checkpoints.mismatched.map((m) => m.toPosition)).toEqual([
      verified.toPosition,
    ]);
    const full = await verify(t);
    expect(full.status).toBe('tampered');
    expect(full.checkpoints.mismatched).toHaveLength(1);
    expect((await checkpointEvents(t)).length).toBe(checkpointsBefore);

    // And the tampered runs were recorded as such.
    const head = await t.service.eventStore.headPosition();
    const res = await t.request
      .get(`/v1/audit/events?type=AuditTrailAccessed&consistentWith=${head}`)
      .set(t.auth('auditor'));
    expect(res.status, res.text).toBe(200);
    expect(
      res.body.items.map((item: { data: { operation: string; outcome?: string } }) => [
        item.data.operation,
        item.data.outcome,
      ]),
    ).toEqual([
      ['verify', 'intact'],
      ['verify', 'tampered'],
      ['verify', 'tampered'],
      ['verify', 'tampered'],
    ]);
  });

  it("a stream's last event deleted after a verification: the checkpoint is one event short", async () => {
    const verified = await expectIntact(t);
    const removed = tamper(t.dataDir, (db) => {
      const last = lastRow(db, 'invoice-INV-2');
      expect(last.type).toBe('PaymentReceived');
      db.prepare('DELETE FROM events WHERE position = ?').run(last.position);
      return last;
    });
    expect(BigInt(removed.position)).toBeLessThan(BigInt(verified.toPosition));
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(report.brokenStreamCount).toBe(0);
    expect(report.checkpoints.mismatched).toEqual([
      expect.objectContaining({
        fromPosition: '0',
        toPosition: verified.toPosition,
        eventsThen: verified.eventsChecked,
        eventsNow: verified.eventsChecked - 1,
      }),
    ]);
  });
});

describe('GET /v1/audit/verify finds what the hashes do not cover', () => {
  let t: TestService;
  beforeEach(async () => {
    t = start();
    await seed(t);
  });

  it("a stored commit time changed after a verification: the checkpoint's digest catches it", async () => {
    const verified = await expectIntact(t);
    const target = tamper(t.dataDir, (db) => {
      const found = row(db, 'invoice-INV-1', 0);
      db.prepare('UPDATE events SET recorded_at = ? WHERE position = ?').run(
        '2020-01-01T00:00:00.000Z',
        found.position,
      );
      return found;
    });
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(report.checkpoints.mismatched).toEqual([
      expect.objectContaining({ fromPosition: '0', toPosition: verified.toPosition }),
    ]);
    expect(BigInt(target.position)).toBeLessThanOrEqual(BigInt(verified.toPosition));
    // What the audit trail shows as recordedAt is the time sealed in the event's hash.
    const history = await t.request
      .get('/v1/audit/entities/invoice/INV-1/history')
      .set(t.auth('auditor'));
    expect(history.body.items[0].recordedAt).not.toBe('2020-01-01T00:00:00.000Z');
  });

  it('an event whose stored JSON no longer parses: reported as unreadable, the rest still checked', async () => {
    const events = await allEvents(t);
    const target = tamper(t.dataDir, (db) => {
      const found = row(db, 'invoice-INV-1', 0);
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(
        found.data.slice(0, -1),
        found.position,
      );
      return found;
    });
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(report.eventsChecked).toBe(events.length);
    expect(report.brokenStreams).toEqual([
      expect.objectContaining({
        stream: 'invoice-INV-1',
        position: target.position.toString(),
        revision: '0',
        problems: [expect.objectContaining({ kind: 'unreadable' })],
      }),
    ]);
  });

  it('re-checks every segment in turn even when the clock does not move', async () => {
    const verifier = verifierOf(t, () => new Date('2026-11-23T10:00:00.000Z'), {
      checkpointEvery: 5,
      recheckSegments: 1,
    });
    const events = await allEvents(t);
    expect((await verifier.verify('full')).status).toBe('intact');
    const segments = (await checkpointEvents(t)).length;
    const target = events[events.length - 3]!;
    tamper(t.dataDir, (db) => {
      const stored = row(db, target.streamId, Number(target.revision));
      setData(db, stored, { ...JSON.parse(stored.data), tampered: true });
    });
    const statuses: string[] = [];
    for (let run = 0; run < segments; run += 1) {
      statuses.push((await verifier.verify('incremental')).status);
    }
    expect(statuses).toContain('tampered');
  });
});

describe('GET /v1/audit/verify?mode=incremental', () => {
  it('reads only what is new since the last checkpoint', async () => {
    const t = start();
    await seed(t);
    const full = await expectIntact(t);
    await post(t, '/v1/customers', customer('DELTA', 'Delta Bau GmbH'));
    await post(t, '/v1/invoices', invoice('INV-4', 'DELTA', '9.99'));
    const last = await post(t, '/v1/invoices/INV-3/payments', payment('P4', '10.00'));
    await settle(t, last);
    const fresh = await allEvents(t, BigInt(full.toPosition));
    // The full run's checkpoint and access record, the new events and the reactor's two entries.
    expect(fresh.length).toBe(7);

    const report = await verify(t, 'incremental');
    expect(report).toMatchObject({
      mode: 'incremental',
      status: 'intact',
      fromPosition: full.toPosition,
      toPosition: fresh.at(-1)!.position.toString(),
      eventsChecked: fresh.length,
      streamsChecked: new Set(fresh.map((event) => event.streamId)).size,
      digest: { position: fresh.at(-1)!.position.toString(), events: full.eventsChecked + 7 },
      brokenStreamCount: 0,
      checkpoints: { mismatched: [] },
    });
    // The digest is carried on from the checkpoint: a full run reaches the same value.
    let digest = full.digest.value;
    for (const event of fresh)
      digest = foldDigest(digest, event, checkLink(undefined, event).contentHash);
    expect(report.digest.value).toBe(digest);
    const again = await verify(t, 'incremental');
    // The previous run's checkpoint and access record.
    expect(again).toMatchObject({
      fromPosition: report.toPosition,
      eventsChecked: 2,
      status: 'intact',
    });
  });

  it('checks the stored predecessor of every stream it extends', async () => {
    // No old segment is re-checked, so only the predecessor check can see the change.
    const t = start({ AUDIT_RECHECK_SEGMENTS: '0' });
    await seed(t);
    const full = await expectIntact(t);
    const altered = tamper(t.dataDir, (db) => {
      const last = lastRow(db, 'invoice-INV-3');
      expect(last).toMatchObject({ revision: 0, type: 'InvoiceIssued' });
      const data = JSON.parse(last.data);
      data.lines[1].description = 'Setup and training';
      setData(db, last, data);
      return last;
    });
    const last = await post(t, '/v1/invoices/INV-3/payments', payment('P4', '5.00'));
    await settle(t, last);

    const report = await verify(t, 'incremental');
    expect(report).toMatchObject({
      mode: 'incremental',
      status: 'tampered',
      fromPosition: full.toPosition,
      brokenStreamCount: 1,
      checkpoints: { compared: 0, mismatched: [] },
    });
    expect(report.eventsRechecked).toBeGreaterThanOrEqual(1);
    expect(report.brokenStreams[0]).toMatchObject({
      stream: 'invoice-INV-3',
      position: altered.position.toString(),
      revision: '0',
      eventId: altered.event_id,
      eventType: 'InvoiceIssued',
    });
    expect(kindsOf(report)).toEqual([['content-altered']]);
  });

  it('re-reads every old segment in turn, so a change deep in the log shows within as many runs', async () => {
    const t = start();
    await seed(t);
    let now = Date.parse('2026-11-23T10:00:00.000Z');
    // A clock that always moves on, so which segment was re-checked longest ago is clear.
    const verifier = verifierOf(t, () => new Date((now += 1000)), {
      checkpointEvery: 5,
      recheckSegments: 1,
    });
    const events = await allEvents(t);
    const full = await verifier.verify('full');
    expect(full).toMatchObject({ status: 'intact', eventsChecked: events.length });
    expect(full.checkpoints.saved).toBe(Math.ceil(events.length / 5));
    // The second run reads the first one's checkpoint events too, and every segment matches.
    expect(await verifier.verify('full')).toMatchObject({
      status: 'intact',
      eventsChecked: events.length + full.checkpoints.saved,
      checkpoints: { compared: Math.ceil(events.length / 5), mismatched: [] },
    });
    const segments = (await checkpointEvents(t)).length;
    expect(segments).toBeGreaterThanOrEqual(4);

    // An account opened at the very start, in the second segment, whose stream gets no events.
    const target = events[6]!;
    expect(target.type).toBe('AccountOpened');
    tamper(t.dataDir, (db) => {
      const stored = row(db, target.streamId, Number(target.revision));
      setData(db, stored, { ...JSON.parse(stored.data), name: 'Petty cash' });
    });

    const runs: VerificationReport[] = [];
    for (let run = 0; run < segments; run += 1) {
      const report = await verifier.verify('incremental');
      runs.push(report);
      // It reads as new only the checkpoints appended since: the change is found by re-checking.
      expect(report.mode).toBe('incremental');
      expect(BigInt(report.fromPosition)).toBeGreaterThan(target.position);
      if (report.status === 'tampered') break;
    }
    const found = runs.at(-1)!;
    expect(found.status).toBe('tampered');
    expect(runs.slice(0, -1).every((report) => report.status === 'intact')).toBe(true);
    expect(runs.length).toBeGreaterThan(1);
    expect(found.checkpoints.mismatched).toHaveLength(1);
    const mismatch = found.checkpoints.mismatched[0]!;
    expect(BigInt(mismatch.fromPosition)).toBeLessThan(target.position);
    expect(target.position).toBeLessThanOrEqual(BigInt(mismatch.toPosition));
    expect(mismatch.eventsNow).toBe(mismatch.eventsThen);
    expect(found.brokenStreams.map((broken) => [broken.stream, broken.revision])).toEqual([
      [target.streamId, target.revision.toString()],
    ]);

    // The mismatched segment is not marked re-checked: the next run reports it again.
    const next = await verifier.verify('incremental');
    expect(next.status).toBe('tampered');
    expect(next.checkpoints.mismatched).toEqual([
      expect.objectContaining({
        fromPosition: mismatch.fromPosition,
        toPosition: mismatch.toPosition,
      }),
    ]);
  });
});

/** Stops the service and deletes its read models, as the README allows: derived data. */
async function deleteReadModels(service: TestService): Promise<string> {
  const dir = service.dataDir;
  await stop(service);
  for (const file of ['readmodels.db', 'readmodels.db-wal', 'readmodels.db-shm']) {
    rmSync(join(dir, file), { force: true });
  }
  expect(existsSync(join(dir, 'readmodels.db'))).toBe(false);
  return dir;
}

/** The same data directory, started again: its read models rebuilt from the log. */
async function restart(dir: string): Promise<TestService> {
  const again = start({ DATA_DIR: dir });
  await again.service.started;
  return again;
}

describe('digest checkpoints are evidence kept in the log', () => {
  let t: TestService;
  beforeEach(async () => {
    t = start();
    await seed(t);
  });

  it('read models deleted, then a stream rewritten consistently: the checkpoints in the log still catch it', async () => {
    const verified = await expectIntact(t);
    expect(verified.checkpoints).toMatchObject({ found: 0, saved: 1, missing: [] });
    const dir = await deleteReadModels(t);
    const altered = tamper(dir, rewriteFirstPayment);

    const again = await restart(dir);
    const report = await verify(again);
    expect(report.status).toBe('tampered');
    expect(report.brokenStreamCount).toBe(0);
    expect(report.checkpoints).toMatchObject({ found: 1, legacy: 0, saved: 0, missing: [] });
    expect(report.checkpoints.mismatched).toEqual([
      expect.objectContaining({
        fromPosition: '0',
        toPosition: verified.toPosition,
        digestThen: verified.digest.value,
      }),
    ]);
    expect(BigInt(altered.position)).toBeLessThanOrEqual(BigInt(verified.toPosition));
  });

  it('every checkpoint event deleted from the events table: the report names each one missing', async () => {
    const first = await expectIntact(t);
    const second = await expectIntact(t);
    const removed = tamper(t.dataDir, (db) =>
      db.prepare('DELETE FROM events WHERE stream_id = ?').run(AUDIT_DIGEST_STREAM),
    );
    expect(removed.changes).toBe(2);
    const access = (await allEvents(t)).filter((event) => event.type === 'AuditTrailAccessed');
    expect(access).toHaveLength(2);

    for (const mode of ['full', 'incremental'] as const) {
      const report = await verify(t, mode);
      // Nothing else is wrong: the chains are sound, there is no checkpoint left to mismatch.
      expect(report).toMatchObject({
        mode: 'full',
        status: 'tampered',
        brokenStreamCount: 0,
        checkpoints: { compared: 0, mismatched: [], found: 0, saved: 0, latest: null },
      });
      expect(report.checkpoints.missing).toEqual(
        [first, second].map((run, index) => ({
          revision: String(index),
          position: run.digest.position,
          digest: run.digest.value,
          namedBy: {
            position: access[index]!.position.toString(),
            eventId: access[index]!.id,
            recordedAt: expect.any(String),
          },
          found: null,
          detail: expect.stringMatching(/no such checkpoint .*removed/),
        })),
      );
    }
  });

  it("the last checkpoint deleted: the chain cannot see it, the verification's record can", async () => {
    const first = await expectIntact(t);
    const second = await expectIntact(t);
    tamper(t.dataDir, (db) => {
      const last = lastRow(db, AUDIT_DIGEST_STREAM);
      expect(last).toMatchObject({ revision: 1, type: 'AuditDigestCheckpointed' });
      db.prepare('DELETE FROM events WHERE position = ?').run(last.position);
    });

    // Incremental: it starts from the checkpoint left, and finds the record naming the other.
    const report = await verify(t, 'incremental');
    expect(report).toMatchObject({
      mode: 'incremental',
      status: 'tampered',
      fromPosition: first.toPosition,
      brokenStreamCount: 0,
      checkpoints: { mismatched: [], found: 1 },
    });
    expect(report.checkpoints.missing).toEqual([
      expect.objectContaining({
        revision: '1',
        position: second.digest.position,
        found: null,
      }),
    ]);
    expect((await verify(t)).checkpoints.missing).toHaveLength(1);
  });

  it('an incremental run after the read models were rebuilt still starts from the checkpoints in the log', async () => {
    const full = await expectIntact(t);
    const last = await post(t, '/v1/invoices/INV-3/payments', payment('P4', '5.00'));
    await settle(t, last);
    const dir = await deleteReadModels(t);
    const again = await restart(dir);
    const fresh = await allEvents(again, BigInt(full.toPosition));

    const report = await verify(again, 'incremental');
    expect(report).toMatchObject({
      mode: 'incremental',
      status: 'intact',
      fromPosition: full.toPosition,
      eventsChecked: fresh.length,
      digest: { events: full.eventsChecked + fresh.length },
      checkpoints: { found: 1, mismatched: [], missing: [] },
    });
    // Its one old segment, re-read from the checkpoint in the log: the rotation state went with
    // the read models, which changes only the order old segments are re-read in.
    expect(report.checkpoints.compared).toBe(1);
    expect(report.eventsRechecked).toBeGreaterThanOrEqual(full.eventsChecked);
  });

  it('lists checkpoint events in the audit trail and checks their stream like any other', async () => {
    const verified = await expectIntact(t);
    const head = await t.service.eventStore.headPosition();
    const res = await t.request
      .get(`/v1/audit/events?type=AuditDigestCheckpointed&consistentWith=${head}`)
      .set(t.auth('auditor'));
    expect(res.status, res.text).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        stream: AUDIT_DIGEST_STREAM,
        entityType: 'auditDigest',
        entityId: 'log',
        revision: 0,
        actor: 'auditor',
        data: {
          position: verified.digest.position,
          events: verified.digest.events,
          digest: verified.digest.value,
          mode: 'full',
        },
      }),
    ]);
    // The checkpoint event lands after what it covers, and the next run folds it in.
    expect(BigInt(res.body.items[0].position)).toBeGreaterThan(BigInt(verified.toPosition));

    const checkpoint = tamper(t.dataDir, (db) => row(db, AUDIT_DIGEST_STREAM, 0));
    tamper(t.dataDir, (db) =>
      setData(db, checkpoint, { ...JSON.parse(checkpoint.data), digest: 'f'.repeat(64) }),
    );
    const report = await verify(t);
    expect(report.status).toBe('tampered');
    expect(report.brokenStreams).toEqual([
      expect.objectContaining({
        stream: AUDIT_DIGEST_STREAM,
        revision: '0',
        problems: [expect.objectContaining({ kind: 'content-altered' })],
      }),
    ]);
  });
});

describe('the checkpoint stream itself', () => {
  it('a checkpoint deleted from its middle: even an incremental run sees the gap at once', async () => {
    // No old segment is re-checked, so only reading the checkpoint stream can show it.
    const t = start({ AUDIT_RECHECK_SEGMENTS: '0' });
    await seed(t);
    for (let run = 0; run < 3; run += 1) await expectIntact(t);
    const next = tamper(t.dataDir, (db) => {
      db.prepare('DELETE FROM events WHERE position = ?').run(
        row(db, AUDIT_DIGEST_STREAM, 0).position,
      );
      return row(db, AUDIT_DIGEST_STREAM, 1);
    });
    const report = await verify(t, 'incremental');
    expect(report).toMatchObject({ mode: 'incremental', status: 'tampered', brokenStreamCount: 1 });
    expect(report.brokenStreams[0]).toMatchObject({
      stream: AUDIT_DIGEST_STREAM,
      revision: '1',
      position: next.position.toString(),
    });
    expect(kindsOf(report)).toEqual([['revision-gap', 'broken-link']]);
  });
});

describe('verifications on two instances at once', () => {
  it('a checkpoint another instance appended while this run read the log is not taken for missing', async () => {
    const t = start();
    await seed(t);
    await expectIntact(t);
    // This instance reads its checkpoints, then, before it reads the log, the other instance
    // (the service's own verifier, over HTTP) verifies and records the checkpoint it appended.
    let other: Promise<VerificationReport> | undefined;
    const store = t.service.eventStore;
    const racing: EventStore = Object.create(store, {
      readAll: {
        value: async (options: Parameters<EventStore['readAll']>[0]) => {
          other ??= verify(t);
          await other;
          return store.readAll(options);
        },
      },
    });
    const report = await verifierOf(t, () => new Date(), {}, racing).verify('full');
    const concurrent = await other!;
    expect(concurrent.checkpoints.latest).toMatchObject({ revision: '1' });
    expect(report).toMatchObject({
      status: 'intact',
      checkpoints: { found: 1, mismatched: [], missing: [] },
    });
  });
});

describe('upgrading from checkpoints kept in the read models', () => {
  let t: TestService;
  beforeEach(async () => {
    t = start();
    await seed(t);
  });

  /**
   * What a deployment of the previous version holds after a verification: its checkpoint in
   * audit_log_digests, and an access record that names no checkpoint.
   */
  async function verifiedByThePreviousVersion(): Promise<{ position: bigint; events: number }> {
    const events = await allEvents(t);
    let digest = '0'.repeat(64);
    for (const event of events)
      digest = foldDigest(digest, event, checkLink(undefined, event).contentHash);
    const position = events.at(-1)!.position;
    const at = '2026-11-20T08:00:00.000Z';
    await t.service.readModels.ensureCollection(LEGACY_DIGESTS_COLLECTION);
    await t.service.readModels.writeBatch(LEGACY_DIGESTS_COLLECTION, [
      {
        id: encodePosition(position),
        position: 1n,
        body: {
          position: encodePosition(position),
          events: events.length,
          digest,
          verifiedAt: at,
          recheckedAt: at,
          rechecks: 0,
        },
      },
    ]);
    const { recordAccess } = auditCommandsOn(t.service.eventStore, () => new Date());
    const context = { actor: 'auditor', correlationId: 'c', causationId: 'r', requestId: 'r' };
    await recordAccess(context, {
      type: 'RecordAuditAccess',
      operation: 'verify',
      filters: { mode: 'full' },
      rowCount: events.length,
      completed: true,
      outcome: 'intact',
    });
    return { position, events: events.length };
  }

  it('is not taken for removed checkpoints, and still compares the old ones until the log has its own', async () => {
    const before = await verifiedByThePreviousVersion();
    // Asked for incremental, it reads the whole log once: no checkpoint in the log to start from.
    const first = await verify(t, 'incremental');
    expect(first).toMatchObject({
      mode: 'full',
      status: 'intact',
      checkpoints: { compared: 1, mismatched: [], found: 0, legacy: 1, saved: 1, missing: [] },
    });
    const second = await verify(t, 'incremental');
    expect(second).toMatchObject({
      mode: 'incremental',
      status: 'intact',
      fromPosition: first.toPosition,
      checkpoints: { found: 1, legacy: 0, missing: [] },
    });
    expect(BigInt(first.toPosition)).toBeGreaterThan(before.position);
  });

  it('a consistent rewrite made before the upgrade is caught by the old checkpoint', async () => {
    const before = await verifiedByThePreviousVersion();
    tamper(t.dataDir, rewriteFirstPayment);
    const report = await verify(t);
    expect(report).toMatchObject({
      status: 'tampered',
      brokenStreamCount: 0,
      checkpoints: { found: 0, legacy: 1, saved: 0, missing: [] },
    });
    expect(report.checkpoints.mismatched).toEqual([
      expect.objectContaining({
        toPosition: before.position.toString(),
        eventsThen: before.events,
        eventsNow: before.events,
      }),
    ]);
    expect(await checkpointEvents(t)).toEqual([]);
  });
});
