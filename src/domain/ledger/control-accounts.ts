/**
 * Control accounts: the accounts a subledger owns (the receivables' receivable accounts, the
 * inventory account, payroll liabilities). Their balance is the sum of the subledger's records,
 * so only the subledger posts to them: a manual journal entry booking one would make the aging
 * total, the stock valuation or the unpaid payroll disagree with the account for good.
 */
import { isCurrencyCode } from '../shared/currency.js';
import { refuse } from '../shared/errors.js';

/** An account a module declares as its own (`controlAccounts` in its module definition). */
export interface ControlAccount {
  /** The account's code in the base currency. */
  readonly code: string;
  /**
   * Whether `<code>-<currency>` is owned too, for every ISO 4217 currency (the base currency's
   * included): for a module that posts in other currencies under the suffixed code.
   */
  readonly inEveryCurrency: boolean;
  /** How a correction is made instead, completing "correct it through <module>: …". */
  readonly correction: string;
}

/** Who owns a control account, and how it is corrected. */
export interface ControlAccountOwner {
  readonly module: string;
  readonly correction: string;
}

/** The owner of the account with `code`, if it is a control account. */
export type ControlAccounts = (code: string) => ControlAccountOwner | undefined;

/** No account is a control account: for ledgers that run without subledgers. */
export const noControlAccounts: ControlAccounts = () => undefined;

/**
 * The lookup over every module's declarations. A code two modules claim is refused (thrown):
 * two subledgers cannot both agree with one account.
 */
export function controlAccountsOf(
  declarations: readonly {
    readonly module: string;
    readonly accounts: readonly ControlAccount[];
  }[],
): ControlAccounts {
  const exact = new Map<string, ControlAccountOwner>();
  const suffixed = new Map<string, ControlAccountOwner>();
  const lookup: ControlAccounts = (code) => {
    const owner = exact.get(code);
    if (owner) return owner;
    const dash = code.lastIndexOf('-');
    if (dash <= 0 || !isCurrencyCode(code.slice(dash + 1))) return undefined;
    return suffixed.get(code.slice(0, dash));
  };
  for (const { module, accounts } of declarations) {
    for (const account of accounts) {
      const claimed = lookup(account.code);
      if (claimed && claimed.module !== module) {
        throw new Error(
          `Account ${account.code} is declared a control account by both ${claimed.module} and ${module}: configure them to own different accounts`,
        );
      }
      const owner = { module, correction: account.correction };
      exact.set(account.code, owner);
      if (account.inEveryCurrency) suffixed.set(account.code, owner);
    }
  }
  return lookup;
}

/**
 * Who asks for a posting: a manual entry (no subledger: the journal-entry routes) may book no
 * control account; a subledger's postings may book its own and no other module's.
 */
export function refuseIfControlAccount(
  codes: Iterable<string>,
  controlAccounts: ReadonlyMap<string, ControlAccountOwner>,
  subledger: string | undefined,
  what: 'posted' | 'reversed',
): void {
  for (const code of new Set(codes)) {
    const owner = controlAccounts.get(code);
    if (owner === undefined || owner.module === subledger) continue;
    const entry =
      what === 'posted'
        ? 'a journal entry booking to it'
        : 'the reversal of an entry booking to it';
    const by = subledger === undefined ? 'by hand' : `by ${subledger}`;
    refuse({
      kind: 'conflict',
      code: 'ControlAccount',
      message: `Account ${code} is a control account of ${owner.module}: ${entry} cannot be made ${by}, so that ${owner.module} and the account always agree. Correct it through ${owner.module}: ${owner.correction}`,
    });
  }
}
