import { auditModule } from './http/audit/audit-module.js';
import { ledgerModule } from './http/ledger/ledger-module.js';
import { logisticsModule } from './http/logistics/logistics-module.js';
import type { AnyModule } from './http/module.js';
import { peopleModule } from './http/people/people-module.js';
import { receivablesModule } from './http/receivables/receivables-module.js';
import { remindersModule } from './http/reminders/reminders-module.js';

/**
 * Every module of the service, in dependency order (a module may `use` those before it). The
 * composition root, the CLI, admin status, readiness, the OpenAPI document, the generated docs
 * and the tests all iterate this list: adding a module is its folders plus one line here.
 */
export const modules: readonly AnyModule[] = [
  ledgerModule,
  receivablesModule,
  remindersModule,
  peopleModule,
  logisticsModule,
  auditModule,
];
