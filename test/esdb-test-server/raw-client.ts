/**
 * Direct gRPC calls to the test server, for what @eventstore/db-client never sends (filtered
 * `$all` reads, structured UUIDs) or to see exactly what the server answers.
 */
import {
  grpc,
  sharedPb,
  streamsGrpc,
  streamsPb,
  type GrpcJs,
  type StreamsPb,
} from '../support/esdb-test-server/protocol.js';

export { grpc, sharedPb, streamsPb };

export function addressOf(connectionString: string): string {
  return new URL(connectionString).host;
}

export async function rawRead(
  connectionString: string,
  options: StreamsPb.ReadReq.Options,
): Promise<StreamsPb.ReadResp[]> {
  const client = new streamsGrpc.StreamsClient(
    addressOf(connectionString),
    grpc.credentials.createInsecure(),
  );
  try {
    return await new Promise((resolve, reject) => {
      const responses: StreamsPb.ReadResp[] = [];
      const call = client.read(new streamsPb.ReadReq().setOptions(options));
      call.on('data', (response: StreamsPb.ReadResp) => responses.push(response));
      call.on('error', reject);
      call.on('end', () => resolve(responses));
    });
  } finally {
    client.close();
  }
}

/** Options of a `$all` read from the start, forwards, string UUIDs, no filter. */
export function readAllOptions(count: number): StreamsPb.ReadReq.Options {
  return new streamsPb.ReadReq.Options()
    .setAll(new streamsPb.ReadReq.Options.AllOptions().setStart(new sharedPb.Empty()))
    .setReadDirection(streamsPb.ReadReq.Options.ReadDirection.FORWARDS)
    .setCount(String(count))
    .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()))
    .setNoFilter(new sharedPb.Empty());
}

export function filterOptions(
  on: 'stream' | 'type',
  expression: { prefixes: string[] } | { regex: string },
): StreamsPb.ReadReq.Options.FilterOptions {
  const built = new streamsPb.ReadReq.Options.FilterOptions.Expression();
  if ('regex' in expression) built.setRegex(expression.regex);
  else built.setPrefixList(expression.prefixes);
  const filter = new streamsPb.ReadReq.Options.FilterOptions()
    .setCount(new sharedPb.Empty())
    .setCheckpointintervalmultiplier(1);
  return on === 'stream' ? filter.setStreamIdentifier(built) : filter.setEventType(built);
}

export const streamNameOfResponse = (response: StreamsPb.ReadResp) =>
  Buffer.from(
    response.getEvent()!.getEvent()!.getStreamIdentifier()!.getStreamName_asU8(),
  ).toString('utf8');

export type { GrpcJs, StreamsPb };
