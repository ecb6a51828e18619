/**
 * The module kernel: a module declared once is wired everywhere (commands, routes, projections,
 * reactors, readiness, admin status, OpenAPI) with nothing else to edit. The `notes` module
 * below stands for the next module: its folders would hold what is inline here, and the one
 * line is `[...modules, notesModule]`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandContext } from '../../src/commands/command-context.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import { mergeEventSchemas } from '../../src/domain/shared/event-schemas.js';
import { refuse } from '../../src/domain/shared/errors.js';
import { defineModule } from '../../src/http/module.js';
import { refusalProblems } from '../../src/http/problem-types.js';
import { commandContext, defineRoute } from '../../src/http/route.js';
import {
  composeModules,
  controlAccounts,
  defaultChart,
  type SharedContext,
} from '../../src/module-host.js';
import { modules } from '../../src/modules.js';
import { loadConfig } from '../../src/config.js';
import type { Projection } from '../../src/projections/projection.js';
import { startTestService, type TestService } from '../support/test-service.js';

const noteSchemas = { NoteWritten: z.strictObject({ noteId: z.string(), text: z.string() }) };
type NoteEvent = { type: 'NoteWritten'; data: { noteId: string; text: string } };
type WriteNote = { type: 'WriteNote'; noteId: string; text: string };

const noteDecider: Decider<boolean, WriteNote, NoteEvent> = {
  initialState: false,
  evolve: () => true,
  decide: (command, exists) => {
    if (exists) refuse({ kind: 'conflict', code: 'NoteExists', message: 'exists' });
    return [{ type: 'NoteWritten', data: { noteId: command.noteId, text: command.text } }];
  },
};

const notesProjection: Projection = {
  name: 'notes_texts',
  version: 1,
  eventTypes: ['NoteWritten'],
  documentIds: (event) => [String(event.data.noteId)],
  evolve: (_document, event) => ({ text: String(event.data.text) }),
};

const notesModule = defineModule({
  name: 'notes',
  summary: 'A module that exists only in this test.',
  eventSchemas: noteSchemas,
  eventStreams: { NoteWritten: 'note-<noteId>' },
  projections: [notesProjection],
  chartAccounts: ({ baseCurrency }) => [
    { code: '77000', name: 'Notes', type: 'expense', currency: baseCurrency },
  ],
  problems: refusalProblems({ NoteExists: ['conflict', 'A note with this id exists.'] }),
  api: (context) => ({
    write: (ctx: CommandContext, command: WriteNote) =>
      context.handle(ctx, {
        streamId: `note-${command.noteId}`,
        decider: noteDecider,
        schemas: noteSchemas,
        command,
      }),
  }),
  routes: (context, notes) => [
    defineRoute({
      method: 'post',
      path: '/v1/notes/{id}',
      operationId: 'writeNote',
      summary: 'Write a note',
      tag: 'notes',
      scopes: ['finance:write'],
      params: z.strictObject({ id: z.string().regex(/^[a-z0-9]{1,20}$/) }),
      body: z.strictObject({ text: z.string().min(1).max(100) }),
      responses: { 201: { description: 'Written' } },
      async handle({ params, body, context: request }) {
        const result = await notes.write(commandContext(request), {
          type: 'WriteNote',
          noteId: params.id,
          text: body.text,
        });
        return { status: 201, body: { position: result.position.toString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/notes/{id}',
      operationId: 'getNote',
      summary: 'Read a note',
      tag: 'notes',
      scopes: ['reports:read'],
      params: z.strictObject({ id: z.string().regex(/^[a-z0-9]{1,20}$/) }),
      readModels: ['notes_texts'],
      responses: { 200: { description: 'The note' } },
      async handle({ params }) {
        const collection = await context.collection('notes_texts');
        const loaded = await context.readModels.load(collection, [params.id]);
        return { status: 200, body: loaded.get(params.id)?.body ?? null };
      },
    }),
  ],
});

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the module list', () => {
  it('names each module once and declares each event type in one module only', () => {
    const names = modules.map((module) => module.name);
    expect(new Set(names).size).toBe(names.length);
    expect(() => mergeEventSchemas(modules.map((module) => module.eventSchemas))).not.toThrow();
    expect(() => mergeEventSchemas([noteSchemas, noteSchemas])).toThrow('declared twice');
  });

  it('opens every module’s chart accounts by default, each code once, in code order', () => {
    const config = loadConfig({ BASE_CURRENCY: 'USD' }, modules);
    const chart = defaultChart([...modules, notesModule], config);
    expect(chart.map((account) => account.code)).toEqual([
      '10000',
      '12000',
      '13000',
      '20500',
      '21000',
      '30000',
      '40000',
      '50000',
      '51000',
      '60000',
      '77000',
    ]);
    expect(new Set(chart.map((account) => account.currency))).toEqual(new Set(['USD']));
  });

  it('collects every module’s control accounts from its settings', () => {
    const config = loadConfig({ RECEIVABLE_ACCOUNT: '11000' }, modules);
    const notes = defineModule({
      ...notesModule,
      controlAccounts: () => [{ code: '77000', inEveryCurrency: false, correction: 'rewrite' }],
    });
    const owners = controlAccounts([...modules, notes], config);
    const ownerOf = (code: string) => owners(code)?.module;
    expect(ownerOf('11000')).toBe('receivables');
    expect(ownerOf('11000-USD')).toBe('receivables');
    expect(ownerOf('12000')).toBeUndefined();
    expect(ownerOf('21000-GBP')).toBe('people');
    expect(ownerOf('13000')).toBe('logistics');
    expect(ownerOf('77000')).toBe('notes');
    expect(ownerOf('10000')).toBeUndefined();
  });

  it('refuses a module that uses one that comes after it', () => {
    const early = defineModule({
      ...notesModule,
      name: 'early',
      api: (context) => context.use(notesModule),
    });
    // Only the configuration is reached before the order is refused.
    const shared = { config: loadConfig({}, modules) } as unknown as SharedContext;
    expect(() => composeModules([early, notesModule], shared)).toThrow(
      'Module early uses notes, which must come before it in src/modules.ts',
    );
  });
});

describe('a module added with one line', () => {
  it('takes commands, serves its read model, shows in admin status, readiness and OpenAPI', async () => {
    t = startTestService({}, { modules: [...modules, notesModule] });
    await t.service.started;

    const written = await t.request.post('/v1/notes/n1').set(t.auth()).send({ text: 'hello' });
    expect(written.status, written.text).toBe(201);
    const again = await t.request.post('/v1/notes/n1').set(t.auth()).send({ text: 'hello' });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:backoffice:problem:note-exists');

    const read = await t.request
      .get(`/v1/notes/n1?consistentWith=${written.body.position}`)
      .set(t.auth('reports'));
    expect(read.status, read.text).toBe(200);
    expect(read.body).toEqual({ text: 'hello' });

    const admin = await t.request.get('/v1/admin/projections').set(t.auth('admin'));
    expect(admin.body.items.map((item: { name: string }) => item.name)).toContain('notes_texts');
    const ready = await t.request.get('/readyz');
    expect(ready.body.checks.notes_texts).toBe('ok');
    const openApi = await t.request.get('/openapi.json');
    expect(Object.keys(openApi.body.paths)).toContain('/v1/notes/{id}');

    const audit = await t.request.get('/v1/audit/events?type=NoteWritten').set(t.auth('auditor'));
    expect(audit.body.items.map((item: { entityId: string }) => item.entityId)).toEqual(['n1']);
  });
});
