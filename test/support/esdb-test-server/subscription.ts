import { randomUUID } from 'node:crypto';
import type { EventLog, RecordedEvent } from './event-log.js';
import { readEventMessage } from './messages.js';
import { streamsPb, type GrpcJs, type StreamsPb } from './protocol.js';

export type ReadCall = GrpcJs.ServerWritableStream<StreamsPb.ReadReq, StreamsPb.ReadResp>;

export interface SubscriptionOptions {
  /** The next event the subscription has not looked at yet, or undefined when it has seen all. */
  readonly next: () => RecordedEvent | undefined;
  /** Which events are sent; the others are only counted towards checkpoints. */
  readonly filter?: (event: RecordedEvent) => boolean;
  /** Events looked at between two checkpoints: set for filtered `$all` subscriptions only. */
  readonly checkpointInterval?: number;
  readonly structuredIds: boolean;
  /** Told once the subscription is over, however it ended. */
  readonly onClose: () => void;
}

/**
 * A catch-up subscription as EventStoreDB runs one: a confirmation, the events after the start,
 * then live events as they are written, in log order with no gap and no duplicate.
 *
 * Catching up and going live are the same loop here: the subscription walks the log with its
 * own cursor, and the log wakes it after every write. When the cursor first reaches the end it
 * has caught up: like EventStoreDB it then sends a checkpoint (filtered subscriptions) and a
 * `caught_up` message. Filtered subscriptions send a checkpoint every `checkpointInterval`
 * events looked at, matching or not, so a consumer of a rare event type still sees progress.
 */
export class Subscription {
  readonly id = randomUUID();
  private closed = false;
  private caughtUp = false;
  private lookedAtSinceCheckpoint = 0;
  private lastLookedAt: bigint | undefined;
  private lastCheckpoint: bigint | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly call: ReadCall,
    log: EventLog,
    private readonly options: SubscriptionOptions,
  ) {
    const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
    call.write(new streamsPb.ReadResp().setConfirmation(confirmation.setSubscriptionId(this.id)));
    this.stopListening = log.onWrite(() => this.pump());
    call.on('cancelled', () => this.close());
    call.on('close', () => this.close());
    this.pump();
  }

  /** Ends the subscription with an error status, as a server going away does. */
  fail(error: Partial<GrpcJs.StatusObject>): void {
    if (this.closed) return;
    this.close();
    this.call.emit('error', error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.options.onClose();
  }

  private pump(): void {
    if (this.closed) return;
    for (let event = this.options.next(); event; event = this.options.next()) this.lookAt(event);
    if (!this.caughtUp) this.catchUp();
  }

  private lookAt(event: RecordedEvent): void {
    const { filter, checkpointInterval, structuredIds } = this.options;
    this.lastLookedAt = event.position;
    if (!filter || filter(event)) this.call.write(readEventMessage(event, structuredIds));
    if (checkpointInterval !== undefined && ++this.lookedAtSinceCheckpoint >= checkpointInterval) {
      this.checkpoint(event.position);
    }
  }

  private catchUp(): void {
    this.caughtUp = true;
    if (this.options.checkpointInterval !== undefined && this.lastLookedAt !== undefined) {
      this.checkpoint(this.lastLookedAt);
    }
    this.lookedAtSinceCheckpoint = 0;
    this.call.write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
  }

  private checkpoint(position: bigint): void {
    this.lookedAtSinceCheckpoint = 0;
    // As EventStoreDB, never a checkpoint at or before one already sent.
    if (this.lastCheckpoint !== undefined && position <= this.lastCheckpoint) return;
    this.lastCheckpoint = position;
    const at = position.toString();
    const checkpoint = new streamsPb.ReadResp.Checkpoint()
      .setCommitPosition(at)
      .setPreparePosition(at);
    this.call.write(new streamsPb.ReadResp().setCheckpoint(checkpoint));
  }
}
