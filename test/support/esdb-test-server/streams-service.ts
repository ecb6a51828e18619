/** The Streams service: Read (reads and subscriptions), Append and BatchAppend. */
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type {
  AppendResult,
  EventLog,
  ExpectedRevision,
  ProposedEvent,
  RecordedEvent,
} from './event-log.js';
import {
  appendResponse,
  appendSize,
  batchAppendResponse,
  batchErrors,
  callErrors,
  expectedRevisionOf,
  MissingMetadataError,
  proposedEvent,
  readEventMessage,
} from './messages.js';
import {
  ProtocolError,
  streamIdentifier,
  streamNameOf,
  streamsPb,
  uuidOf,
  type GrpcJs,
  type StreamsPb,
} from './protocol.js';
import { Subscription, type ReadCall } from './subscription.js';

export interface StreamsServiceOptions {
  readonly maxAppendSize: number;
  /** Whether an idempotent retry is answered with the position of the write it repeats. */
  readonly idempotentRetryPosition: boolean;
}

/** How each open call ends when the server stops: as calls to an unreachable server do. */
export type OpenCalls = Set<() => void>;

type Handlers = Pick<IStreamsServer, 'read' | 'append' | 'batchAppend'>;

/** EventStoreDB's filtered reads look at this many events at a time unless told otherwise. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

class InvalidPositionError extends ProtocolError {}

export function streamsHandlers(
  log: EventLog,
  options: StreamsServiceOptions,
  openCalls: OpenCalls,
): Handlers {
  const answer = (result: AppendResult): AppendResult =>
    result.outcome === 'idempotent' && !options.idempotentRetryPosition
      ? { ...result, position: undefined }
      : result;

  return {
    read(call) {
      try {
        const request = call.request.getOptions();
        if (!request) throw new ProtocolError('Required field options not set.');
        const uuidOption = request.getUuidOption();
        if (!uuidOption) throw new ProtocolError("'uuidOption' is a required argument.");
        const structuredIds = uuidOption.hasStructured();
        if (request.hasSubscription()) {
          subscribe(log, call, request, structuredIds, openCalls);
          return;
        }
        const events = read(log, request);
        if (events === 'stream_not_found') {
          const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(
            request.getStream()?.getStreamIdentifier(),
          );
          call.write(new streamsPb.ReadResp().setStreamNotFound(notFound));
        } else {
          for (const event of events) call.write(readEventMessage(event, structuredIds));
        }
        call.end();
      } catch (error) {
        call.emit('error', toCallError(error));
      }
    },

    append(call, callback) {
      let request: StreamsPb.AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let done = false;
      const settle = () => {
        done = true;
        openCalls.delete(abort);
      };
      const finish = (
        error: Partial<GrpcJs.StatusObject> | null,
        response?: StreamsPb.AppendResp,
      ) => {
        if (done) return;
        settle();
        callback(error, response);
      };
      const abort = () => finish(callErrors.unavailable());
      openCalls.add(abort);
      call.on('cancelled', settle);

      // The first message carries the options, every following one a proposed event.
      call.on('data', (message: StreamsPb.AppendReq) => {
        if (done) return;
        try {
          if (!request) {
            request = message.getOptions();
            if (!request) throw new ProtocolError('An append must start with its options.');
          } else {
            const proposed = message.getProposedMessage();
            if (!proposed) throw new ProtocolError('Expected a proposed message.');
            events.push(proposedEvent(proposed));
          }
        } catch (error) {
          finish(toCallError(error));
        }
      });

      call.on('end', () => {
        if (done) return;
        try {
          if (!request) throw new ProtocolError('An append must start with its options.');
          const streamId = streamNameOf(request.getStreamIdentifier());
          const expected = expectedRevisionOf(request);
          if (appendSize(events) > options.maxAppendSize) {
            finish(callErrors.maximumAppendSizeExceeded(options.maxAppendSize));
            return;
          }
          finish(null, appendResponse(answer(log.append(streamId, expected, events)), expected));
        } catch (error) {
          finish(toCallError(error));
        }
      });
    },

    batchAppend(call) {
      // Writes whose final batch has not arrived yet, by correlation id.
      const pending = new Map<
        string,
        { streamId: string; expected: ExpectedRevision; events: ProposedEvent[] }
      >();
      const abort = () => call.emit('error', callErrors.unavailable());
      openCalls.add(abort);
      const forget = () => openCalls.delete(abort);
      call.on('cancelled', forget);
      call.on('close', forget);
      call.on('end', () => call.end());

      call.on('data', (message: StreamsPb.BatchAppendReq) => {
        let key: string | undefined;
        let streamId: string | undefined;
        const reply = (response: StreamsPb.BatchAppendResp) => {
          response.setCorrelationId(message.getCorrelationId());
          if (streamId !== undefined) response.setStreamIdentifier(streamIdentifier(streamId));
          call.write(response);
        };
        try {
          key = uuidOf(message.getCorrelationId());
          const batchOptions = message.getOptions();
          if (batchOptions && !pending.has(key)) {
            streamId = streamNameOf(batchOptions.getStreamIdentifier());
            const deadline = batchOptions.getDeadline()?.toDate();
            if (deadline && deadline.getTime() <= Date.now()) {
              reply(new streamsPb.BatchAppendResp().setError(batchErrors.timeout()));
              return;
            }
            const expected = expectedRevisionOf(batchOptions);
            pending.set(key, { streamId, expected, events: [] });
          }
          const write = pending.get(key);
          if (!write) return;
          streamId = write.streamId;
          write.events.push(...message.getProposedMessagesList().map(proposedEvent));
          if (appendSize(write.events) > options.maxAppendSize) {
            pending.delete(key);
            const error = batchErrors.maximumAppendSizeExceeded(options.maxAppendSize);
            reply(new streamsPb.BatchAppendResp().setError(error));
            return;
          }
          if (!message.getIsFinal()) return;
          pending.delete(key);
          const result = answer(log.append(write.streamId, write.expected, write.events));
          reply(batchAppendResponse(result, write.expected));
        } catch (error) {
          if (key !== undefined) pending.delete(key);
          const text = error instanceof Error ? error.message : String(error);
          reply(new streamsPb.BatchAppendResp().setError(batchErrors.badRequest(text)));
        }
      });
    },
  };
}

/** The events a non-subscription read returns, in the order it returns them. */
function read(
  log: EventLog,
  request: StreamsPb.ReadReq.Options,
): readonly RecordedEvent[] | 'stream_not_found' {
  const forwards = request.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.FORWARDS;
  const count = toIndex(BigInt(request.getCount()));
  const stream = request.getStream();
  if (stream) {
    if (request.hasFilter()) throw new ProtocolError('A stream read cannot be filtered.');
    const events = log.stream(streamNameOf(stream.getStreamIdentifier()));
    if (events.length === 0) return 'stream_not_found';
    const last = events.length - 1;
    if (forwards) {
      const from = stream.hasStart() ? 0 : stream.hasEnd() ? events.length : revisionIndex(stream);
      return events.slice(from, from + count);
    }
    const from = stream.hasStart()
      ? 0
      : stream.hasEnd()
        ? last
        : Math.min(revisionIndex(stream), last);
    return events.slice(Math.max(0, from - count + 1), from + 1).reverse();
  }

  const all = request.getAll();
  if (!all) throw new ProtocolError('Required field stream_option not set.');
  const filter = eventFilter(request);
  // Forwards reads include the event at the given position, backwards reads start before it.
  const from = all.hasStart()
    ? 0
    : all.hasEnd()
      ? log.events.length
      : log.firstIndexFrom(positionOf(log, all.getPosition()));
  const selected: RecordedEvent[] = [];
  const step = forwards ? 1 : -1;
  for (let i = forwards ? from : from - 1; selected.length < count; i += step) {
    const event = log.events[i];
    if (!event) break;
    if (!filter || filter(event)) selected.push(event);
  }
  return selected;
}

function subscribe(
  log: EventLog,
  call: ReadCall,
  request: StreamsPb.ReadReq.Options,
  structuredIds: boolean,
  openCalls: OpenCalls,
): void {
  if (request.getReadDirection() !== streamsPb.ReadReq.Options.ReadDirection.FORWARDS) {
    throw new ProtocolError('A subscription reads forwards.');
  }
  let next: () => RecordedEvent | undefined;
  let filter: ((event: RecordedEvent) => boolean) | undefined;
  let checkpointInterval: number | undefined;

  const stream = request.getStream();
  if (stream) {
    if (request.hasFilter()) throw new ProtocolError('A stream subscription cannot be filtered.');
    const streamId = streamNameOf(stream.getStreamIdentifier());
    // Events strictly after the given revision.
    let revision = stream.hasStart()
      ? 0
      : stream.hasEnd()
        ? log.stream(streamId).length
        : revisionIndex(stream) + 1;
    next = () => {
      const event = log.stream(streamId)[revision];
      if (event) revision += 1;
      return event;
    };
  } else {
    const all = request.getAll();
    if (!all) throw new ProtocolError('Required field stream_option not set.');
    // Events strictly after the given position.
    let index = all.hasStart()
      ? 0
      : all.hasEnd()
        ? log.events.length
        : log.firstIndexFrom(positionOf(log, all.getPosition()) + 1n);
    next = () => {
      const event = log.events[index];
      if (event) index += 1;
      return event;
    };
    filter = eventFilter(request);
    const filterOptions = request.getFilter();
    if (filter && filterOptions) {
      const multiplier = filterOptions.getCheckpointintervalmultiplier();
      if (multiplier <= 0)
        throw new ProtocolError('The checkpoint interval multiplier must be > 0.');
      const window = filterOptions.hasMax() ? filterOptions.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
      checkpointInterval = multiplier * window;
    }
  }

  const subscription = new Subscription(call, log, {
    next,
    filter,
    checkpointInterval,
    structuredIds,
    onClose: () => openCalls.delete(abort),
  });
  const abort = () => subscription.fail(callErrors.unavailable());
  openCalls.add(abort);
}

/** EventStoreDB's `$all` filters: on stream name or event type, by regex or else by prefixes. */
function eventFilter(
  request: StreamsPb.ReadReq.Options,
): ((event: RecordedEvent) => boolean) | undefined {
  const filter = request.getFilter();
  if (!filter) return undefined;
  const onStream = filter.getStreamIdentifier();
  const onType = filter.getEventType();
  const expression = onStream ?? onType;
  if (!expression) throw new ProtocolError('A filter must be on stream name or event type.');
  const field = (event: RecordedEvent) => (onStream ? event.streamId : event.type);
  if (expression.getRegex()) {
    let regex: RegExp;
    try {
      regex = new RegExp(expression.getRegex());
    } catch {
      throw new ProtocolError(`Invalid filter regex: ${expression.getRegex()}`);
    }
    return (event) => regex.test(field(event));
  }
  const prefixes = expression.getPrefixList();
  return (event) => prefixes.some((prefix) => field(event).startsWith(prefix));
}

/** A position to read `$all` from must be where a record starts, or the end of the log. */
function positionOf(
  log: EventLog,
  position: StreamsPb.ReadReq.Options.Position | undefined,
): bigint {
  if (!position) throw new ProtocolError('Required field all_option not set.');
  const commit = BigInt(position.getCommitPosition());
  const prepare = BigInt(position.getPreparePosition());
  if (commit !== prepare || !log.isRecordBoundary(commit)) throw new InvalidPositionError();
  return commit;
}

function revisionIndex(stream: StreamsPb.ReadReq.Options.StreamOptions): number {
  return toIndex(BigInt(stream.getRevision()));
}

/** An unsigned 64-bit count or revision as an array index (capped: nothing is that large). */
function toIndex(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function toCallError(error: unknown): Partial<GrpcJs.StatusObject> {
  if (error instanceof InvalidPositionError) return callErrors.invalidPosition();
  if (error instanceof MissingMetadataError) return callErrors.missingMetadata(error.property);
  if (error instanceof ProtocolError) return callErrors.invalidArgument(error.message);
  return callErrors.unknown(error);
}
