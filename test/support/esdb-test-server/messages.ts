/** Conversions between the event log's values and the protocol's messages. */
import type { AppendResult, ExpectedRevision, ProposedEvent, RecordedEvent } from './event-log.js';
import {
  callError,
  codePb,
  googleEmptyPb,
  grpc,
  ProtocolError,
  rpcStatus,
  sharedPb,
  streamIdentifier,
  streamsPb,
  uuidMessage,
  uuidOf,
  type SharedPb,
  type StreamsPb,
} from './protocol.js';

/** The shape AppendReq.ProposedMessage and BatchAppendReq.ProposedMessage share. */
interface ProposedMessage {
  getId(): SharedPb.UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** A proposed event is refused without `type` and `content-type`, as EventStoreDB refuses it. */
export class MissingMetadataError extends Error {
  constructor(readonly property: string) {
    super(`Required Metadata Property '${property}' is missing`);
  }
}

export function proposedEvent(message: ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  if (type === undefined) throw new MissingMetadataError('type');
  const contentType = metadata.get('content-type');
  if (contentType === undefined) throw new MissingMetadataError('content-type');
  return {
    id: uuidOf(message.getId()),
    type,
    isJson: contentType === 'application/json',
    // Copied: the bytes are kept exactly as received, detached from the request buffer.
    data: message.getData_asU8().slice(),
    metadata: message.getCustomMetadata_asU8().slice(),
  };
}

/** How EventStoreDB measures an append against its maximum append size (approximately). */
export function appendSize(events: readonly ProposedEvent[]): number {
  return events.reduce(
    (size, event) =>
      size + Buffer.byteLength(event.type) + event.data.length + event.metadata.length,
    0,
  );
}

export function expectedRevisionOf(
  options: StreamsPb.AppendReq.Options | StreamsPb.BatchAppendReq.Options,
): ExpectedRevision {
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  const revision =
    options instanceof streamsPb.AppendReq.Options
      ? options.hasRevision() && options.getRevision()
      : options.hasStreamPosition() && options.getStreamPosition();
  if (revision === false) throw new ProtocolError('Required expected stream revision not set.');
  return BigInt(revision);
}

export function readEventMessage(event: RecordedEvent, structuredIds: boolean): StreamsPb.ReadResp {
  const position = event.position.toString();
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.created.toString())
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  const readEvent = new streamsPb.ReadResp.ReadEvent()
    .setEvent(recorded)
    .setCommitPosition(position);
  return new streamsPb.ReadResp().setEvent(readEvent);
}

export function appendResponse(
  result: AppendResult,
  expected: ExpectedRevision,
): StreamsPb.AppendResp {
  const response = new streamsPb.AppendResp();
  const empty = () => new sharedPb.Empty();
  if (result.outcome === 'wrong_expected_version') {
    const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
    if (result.currentRevision < 0n) wrong.setCurrentNoStream(empty());
    else wrong.setCurrentRevision(result.currentRevision.toString());
    if (expected === 'any') wrong.setExpectedAny(empty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(empty());
    else wrong.setExpectedRevision(expected.toString());
    return response.setWrongExpectedVersion(wrong);
  }
  const success = new streamsPb.AppendResp.Success();
  if (result.revision < 0n) success.setNoStream(empty());
  else success.setCurrentRevision(result.revision.toString());
  if (result.position === undefined) success.setNoPosition(empty());
  else {
    const position = result.position.toString();
    success.setPosition(
      new streamsPb.AppendResp.Position().setCommitPosition(position).setPreparePosition(position),
    );
  }
  return response.setSuccess(success);
}

/** A BatchAppend answer: success, or one of the `google.rpc.Status` errors EventStoreDB sends. */
export function batchAppendResponse(
  result: AppendResult,
  expected: ExpectedRevision,
): StreamsPb.BatchAppendResp {
  const response = new streamsPb.BatchAppendResp();
  const empty = () => new googleEmptyPb.Empty();
  if (result.outcome === 'wrong_expected_version') {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (result.currentRevision < 0n) wrong.setCurrentNoStream(empty());
    else wrong.setCurrentStreamRevision(result.currentRevision.toString());
    if (expected === 'any') wrong.setExpectedAny(empty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(empty());
    else wrong.setExpectedStreamPosition(expected.toString());
    return response.setError(
      rpcStatus(
        codePb.Code.ALREADY_EXISTS,
        'WrongExpectedVersion',
        wrong,
        'event_store.client.WrongExpectedVersion',
      ),
    );
  }
  const success = new streamsPb.BatchAppendResp.Success();
  if (result.revision < 0n) success.setNoStream(empty());
  else success.setCurrentRevision(result.revision.toString());
  if (result.position === undefined) success.setNoPosition(empty());
  else {
    const position = result.position.toString();
    success.setPosition(
      new sharedPb.AllStreamPosition().setCommitPosition(position).setPreparePosition(position),
    );
  }
  return response.setSuccess(success);
}

export const batchErrors = {
  badRequest: (message: string) =>
    rpcStatus(
      codePb.Code.INVALID_ARGUMENT,
      'BadRequest',
      new sharedPb.BadRequest().setMessage(message),
      'event_store.client.BadRequest',
    ),
  timeout: () =>
    rpcStatus(
      codePb.Code.DEADLINE_EXCEEDED,
      'Timeout',
      new sharedPb.Timeout(),
      'event_store.client.Timeout',
    ),
  maximumAppendSizeExceeded: (maxAppendSize: number) =>
    rpcStatus(
      codePb.Code.INVALID_ARGUMENT,
      'MaximumAppendSizeExceeded',
      new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize),
      'event_store.client.MaximumAppendSizeExceeded',
    ),
};

/** The call errors the unary and streaming handlers end with, as EventStoreDB's RpcExceptions. */
export const callErrors = {
  invalidArgument: (message: string) => callError(grpc.status.INVALID_ARGUMENT, message),
  invalidPosition: () =>
    callError(grpc.status.INVALID_ARGUMENT, 'Trying to read from an invalid position.'),
  missingMetadata: (property: string) =>
    callError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': 'type,content-type',
    }),
  maximumAppendSizeExceeded: (maxAppendSize: number) =>
    callError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(maxAppendSize),
    }),
  unavailable: () => callError(grpc.status.UNAVAILABLE, 'Server is unavailable'),
  /** A bug in the test server, reported rather than hidden. */
  unknown: (error: unknown) =>
    callError(grpc.status.UNKNOWN, `Test server error: ${String(error)}`),
};
