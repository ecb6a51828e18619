/**
 * The wire types of EventStoreDB's gRPC protocol, taken from the client package's own generated
 * code so the server speaks exactly what the client speaks.
 *
 * The generated modules are CommonJS. They are loaded with a `require` anchored at
 * `@eventstore/db-client`, so `@grpc/grpc-js` and `google-protobuf` resolve to the very copies
 * the client uses, and typed with type-only imports of their declaration files.
 */
import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import type * as CodePb from '@eventstore/db-client/generated/code_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';

const requireFromClient = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client'),
);

export const grpc = requireFromClient('@grpc/grpc-js') as typeof GrpcJs;
export const anyPb = requireFromClient('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
export const googleEmptyPb = requireFromClient(
  'google-protobuf/google/protobuf/empty_pb.js',
) as typeof EmptyPb;
export const codePb = requireFromClient('../generated/code_pb.js') as typeof CodePb;
export const sharedPb = requireFromClient('../generated/shared_pb.js') as typeof SharedPb;
export const statusPb = requireFromClient('../generated/status_pb.js') as typeof StatusPb;
export const streamsPb = requireFromClient('../generated/streams_pb.js') as typeof StreamsPb;
export const streamsGrpc = requireFromClient(
  '../generated/streams_grpc_pb.js',
) as typeof StreamsGrpc;
export const serverFeaturesPb = requireFromClient(
  '../generated/serverfeatures_pb.js',
) as typeof ServerFeaturesPb;
export const serverFeaturesGrpc = requireFromClient(
  '../generated/serverfeatures_grpc_pb.js',
) as typeof ServerFeaturesGrpc;

export type { GrpcJs, SharedPb, StreamsPb };

/** A stream name travels as UTF-8 bytes. */
export function streamNameOf(identifier: SharedPb.StreamIdentifier | undefined): string {
  if (!identifier) throw new ProtocolError('Required field stream_identifier not set.');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): SharedPb.StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

/**
 * EventStoreDB accepts a UUID as a string (any form .NET's Guid parses) or as two signed 64-bit
 * halves, and keeps it as a Guid: it reads back as lower-case hex with hyphens.
 */
export function uuidOf(uuid: SharedPb.UUID | undefined): string {
  if (!uuid) throw new ProtocolError('Required field id not set.');
  const structured = uuid.getStructured();
  const hex = (half: string) => BigInt.asUintN(64, BigInt(half)).toString(16).padStart(16, '0');
  const digits = structured
    ? hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits())
    : uuid
        .getString()
        .replace(/^[{(]|[})]$/g, '')
        .replaceAll('-', '')
        .toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(digits)) throw new ProtocolError(`Invalid UUID: ${uuid.getString()}`);
  const groups = [
    digits.slice(0, 8),
    digits.slice(8, 12),
    digits.slice(12, 16),
    digits.slice(16, 20),
  ];
  return [...groups, digits.slice(20)].join('-');
}

/** A UUID in the form the reader asked for (`uuid_option`). */
export function uuidMessage(id: string, structured: boolean): SharedPb.UUID {
  const message = new sharedPb.UUID();
  if (!structured) return message.setString(id);
  const digits = id.replaceAll('-', '');
  const half = (hex: string) => BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
  return message.setStructured(
    new sharedPb.UUID.Structured()
      .setMostSignificantBits(half(digits.slice(0, 16)))
      .setLeastSignificantBits(half(digits.slice(16))),
  );
}

/** A `google.rpc.Status` carrying one EventStoreDB detail message, as BatchAppend answers errors. */
export function rpcStatus(
  code: CodePb.Code,
  message: string,
  detail: { serializeBinary(): Uint8Array },
  detailType: string,
): StatusPb.Status {
  const details = new anyPb.Any();
  details.pack(detail.serializeBinary(), detailType);
  return new statusPb.Status().setCode(code).setMessage(message).setDetails(details);
}

/** A request the server cannot make sense of; answered as EventStoreDB does, INVALID_ARGUMENT. */
export class ProtocolError extends Error {}

/** The error a handler passes to grpc-js to end a call with a status (and trailing metadata). */
export function callError(
  code: GrpcJs.status,
  details: string,
  metadata: Record<string, string> = {},
): Partial<GrpcJs.StatusObject> {
  const trailers = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) trailers.set(key, value);
  return { code, details, metadata: trailers };
}
