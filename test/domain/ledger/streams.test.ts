import { describe, expect, it } from 'vitest';
import { ledgerStreams } from '../../../src/domain/ledger/streams.js';

describe('ledger stream names', () => {
  it('are <entityType>-<id>, split at the first hyphen', () => {
    const names = [
      ledgerStreams.account('1000-EUR'),
      ledgerStreams.journalEntry('JE-2026-0001'),
      ledgerStreams.periodLock,
      ledgerStreams.legacyPeriod('2026-03'),
    ];
    expect(names).toEqual([
      'account-1000-EUR',
      'journalEntry-JE-2026-0001',
      'periodLock-ledger',
      'period-2026-03',
    ]);
    expect(names.map((name) => name.slice(0, name.indexOf('-')))).toEqual([
      'account',
      'journalEntry',
      'periodLock',
      'period',
    ]);
  });
});
