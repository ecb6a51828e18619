import type {
  ChangeEmployeeTerms,
  EmployeeCommand,
  EraseEmployeePersonalData,
  HireEmployee,
  TerminateEmployee,
} from '../../domain/people/commands.js';
import { employeeDecider, type EmployeeState } from '../../domain/people/employee.js';
import { managerFact, type EmployeeFacts } from '../../domain/people/employee-facts.js';
import { employeeEventSchemas } from '../../domain/people/events.js';
import { peopleStreams } from '../../domain/people/streams.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { PersonalDataVault } from '../personal-data/vault.js';
import type { StateReader } from '../read-state.js';

export interface PeopleCommands {
  hireEmployee(
    context: CommandContext,
    command: HireEmployee,
  ): Promise<CommandResult<EmployeeState>>;
  changeEmployeeTerms(
    context: CommandContext,
    command: ChangeEmployeeTerms,
  ): Promise<CommandResult<EmployeeState>>;
  terminateEmployee(
    context: CommandContext,
    command: TerminateEmployee,
  ): Promise<CommandResult<EmployeeState>>;
  /** Destroys the person's key, then records the erasure; see `createPeopleCommands`. */
  erasePersonalData(
    context: CommandContext,
    command: Omit<EraseEmployeePersonalData, 'erasedAt'>,
  ): Promise<CommandResult<EmployeeState>>;
}

/** The accounts payroll posts to in a currency (see the people module settings). */
export type PayrollAccountCodes = (currency: string) => {
  readonly salaries: string;
  readonly liabilities: string;
  readonly cash: string;
};

export function createPeopleCommands(deps: {
  readonly handle: CommandHandler;
  /** How the manager a command names is read. */
  readonly readState: StateReader;
  readonly postingRules: PostingRules;
  readonly payrollAccounts: PayrollAccountCodes;
  /** Erasure destroys the person's key here. */
  readonly personalData: Pick<PersonalDataVault, 'erase'>;
  /** Erasure: the ids of the runs not yet paid that pay the employee. */
  readonly openPayrollRuns: (employeeId: string) => Promise<readonly string[]>;
  readonly clock: () => Date;
}): PeopleCommands {
  const { handle, readState, postingRules, payrollAccounts, personalData, openPayrollRuns, clock } =
    deps;

  const employeeState = (employeeId: string) =>
    readState(peopleStreams.employee(employeeId), employeeDecider, employeeEventSchemas);

  /** The manager named, as of the date the command takes effect; nothing when none is named. */
  async function managerOn(
    managerId: string | null | undefined,
    date: string,
  ): Promise<Pick<EmployeeFacts, 'manager'>> {
    if (typeof managerId !== 'string') return {};
    return { manager: managerFact(await employeeState(managerId), date) };
  }

  const onEmployee = (
    context: CommandContext,
    command: EmployeeCommand,
    facts: (employee: EmployeeState) => Promise<EmployeeFacts>,
  ) =>
    handle(context, {
      streamId: peopleStreams.employee(command.employeeId),
      decider: employeeDecider,
      schemas: employeeEventSchemas,
      command,
      facts,
    });

  return {
    hireEmployee: (context, command) =>
      onEmployee(context, command, async () => {
        const codes = payrollAccounts(command.currency);
        return {
          ...(await managerOn(command.managerId, command.startDate)),
          payrollAccounts: [
            {
              role: 'salaries and wages',
              code: codes.salaries,
              type: 'expense',
              state: await postingRules.account(codes.salaries),
            },
            {
              role: 'payroll liabilities',
              code: codes.liabilities,
              type: 'liability',
              state: await postingRules.account(codes.liabilities),
            },
          ],
        };
      }),
    changeEmployeeTerms: (context, command) =>
      onEmployee(context, command, () => managerOn(command.managerId, command.effectiveDate)),
    terminateEmployee: (context, command) => onEmployee(context, command, async () => ({})),

    /**
     * The key goes first: an erasure recorded while the key survived would be a lie no retry
     * could mend (a second erasure is refused). Destroying it is done under the stream's lock,
     * once the decider, run on the same state and facts, would accept the erasure; so a
     * refused erasure destroys nothing, and a crash between the two leaves a destroyed key that
     * a retry records. A run drafted while the erasure is under way is not seen; the payslip
     * holds no personal data, only the employee id, so nothing personal outlives the key.
     */
    erasePersonalData: (context, request) => {
      const command: EraseEmployeePersonalData = { ...request, erasedAt: clock().toISOString() };
      return onEmployee(context, command, async (state) => {
        const facts: EmployeeFacts = {
          openPayrollRuns: await openPayrollRuns(command.employeeId),
        };
        employeeDecider.decide(command, state, facts);
        await personalData.erase(peopleStreams.employee(command.employeeId));
        return facts;
      });
    },
  };
}
