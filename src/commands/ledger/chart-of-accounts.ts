import type { AccountType } from '../../domain/ledger/events.js';
import { isDomainError } from '../../domain/shared/errors.js';
import type { LedgerCommands } from './ledger-commands.js';

export interface ChartAccount {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: string;
}

/**
 * Opens every account of the chart that is not open yet; accounts that exist are left as they
 * are. Safe to run at every start and from several instances at once.
 */
export async function openChartOfAccounts(
  ledger: LedgerCommands,
  chart: readonly ChartAccount[],
): Promise<string[]> {
  const opened: string[] = [];
  for (const account of chart) {
    try {
      const result = await ledger.openAccount(
        {
          actor: 'system:chart-of-accounts',
          correlationId: 'chart-of-accounts',
          causationId: 'start-up',
          requestId: 'start-up',
          idempotencyKey: `chart-of-accounts:${account.code}`,
        },
        {
          type: 'OpenAccount',
          code: account.code,
          name: account.name,
          accountType: account.type,
          currency: account.currency,
        },
      );
      if (!result.replayed) opened.push(account.code);
    } catch (error) {
      if (isDomainError(error) && error.refusal.code === 'AccountAlreadyExists') continue;
      throw error;
    }
  }
  return opened;
}
