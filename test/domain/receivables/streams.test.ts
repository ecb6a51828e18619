import { describe, expect, it } from 'vitest';
import { receivablesStreams } from '../../../src/domain/receivables/streams.js';

describe('receivables stream names', () => {
  it('are <entityType>-<id>, split at the first hyphen', () => {
    const names = [receivablesStreams.customer('C-0001'), receivablesStreams.invoice('INV-2026-7')];
    expect(names).toEqual(['customer-C-0001', 'invoice-INV-2026-7']);
    expect(names.map((name) => name.slice(0, name.indexOf('-')))).toEqual(['customer', 'invoice']);
  });
});
