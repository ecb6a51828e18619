/** Every command's outcome and duration, from the command handler's one seam. */
import type { CommandMiddleware } from '../commands/command-handler.js';
import { observeCommands } from '../commands/command-middleware.js';
import type { ServiceMetrics } from './service-metrics.js';

/**
 * `type` is the command's type, fixed by the code; `outcome` is `outcomeOf`'s: a business rule
 * saying no (any DomainError, 409s included) is `refused`, while `conflict` is contention (a
 * stale If-Match, or a race lost `COMMAND_MAX_ATTEMPTS` times), which is what an operator acts on.
 */
export function commandMetrics(
  metrics: Pick<ServiceMetrics, 'commands' | 'commandDuration'>,
): CommandMiddleware {
  return observeCommands(({ call, outcome, durationMs }) => {
    const labels = { type: call.commandType, outcome };
    metrics.commands.inc(labels);
    metrics.commandDuration.observe(labels, durationMs / 1000);
  });
}
