/** Shipments' routes: create, pack, dispatch, deliver, cancel, and the queries. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { ShipmentState } from '../../domain/logistics/shipment.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { LOGISTICS_READ_MODELS } from '../../projections/logistics/logistics-queries.js';
import {
  commandRoute,
  listRoute,
  newRecordId,
  recordRoute,
  withoutRevision,
} from '../route-builders.js';
import { commandContext, type RequestContext, type RouteSpec } from '../route.js';
import { recordId } from '../schemas.js';
import type { LogisticsRouteDeps } from './logistics-routes.js';
import {
  cancelBody,
  deliveryBody,
  dispatchBody,
  packBody,
  READ,
  shipmentBody,
  shipmentFilters,
  shipmentResponse,
  WRITE,
} from './logistics-schemas.js';

const shipmentWriteResponse = shipmentResponse.pick({
  shipmentId: true,
  orderReference: true,
  customerId: true,
  items: true,
  address: true,
  status: true,
});

export function shipmentRoutes(deps: LogisticsRouteDeps): RouteSpec[] {
  const { commands, queries, ids, mayReadPersonalData } = deps;
  const idParams = z.strictObject({ id: recordId });
  /** The warehouse ships to the address, so logistics:write reads it besides the customer's readers. */
  const addressReader = (context: RequestContext) => (subject: string) =>
    context.principal.scopes.includes('logistics:write') ||
    mayReadPersonalData(context.principal.scopes, subject);

  const shipmentAnswer = (result: CommandResult<ShipmentState>) => {
    const shipment = result.state;
    if (shipment.status === 'none') throw new Error(`No shipment in ${result.streamId}`);
    return {
      result,
      location: `/v1/shipments/${encodeURIComponent(shipment.shipmentId)}`,
      ...(shipment.address
        ? { personalDataOf: receivablesStreams.customer(shipment.customerId) }
        : {}),
      body: {
        shipmentId: shipment.shipmentId,
        orderReference: shipment.orderReference,
        customerId: shipment.customerId,
        items: shipment.items,
        address: shipment.address,
        status: shipment.status,
      },
    };
  };

  const step = (
    path: string,
    operationId: string,
    summary: string,
    body: z.ZodObject,
    conflict: string,
    run: (
      id: string,
      body: never,
      context: Parameters<typeof commandContext>[0],
    ) => Promise<CommandResult<ShipmentState>>,
  ) =>
    commandRoute({
      path: `/v1/shipments/{id}/${path}`,
      operationId,
      summary,
      tag: 'logistics',
      scopes: WRITE,
      params: idParams,
      body,
      success: { status: 200, description: 'Done', schema: shipmentWriteResponse },
      invalid: '`invalid-shipment-step`: a date before the step it follows',
      notFound: 'No such shipment',
      conflict,
      async handle({ params, body: input, context }) {
        return shipmentAnswer(await run(params.id, input as never, context));
      },
    });

  return [
    commandRoute({
      path: '/v1/shipments',
      operationId: 'createShipment',
      summary: 'Create a shipment for a customer',
      description:
        "No stock is taken until it is packed. The address is the customer's personal data: stored encrypted with their key, erased with their data.",
      tag: 'logistics',
      scopes: WRITE,
      body: shipmentBody,
      success: { status: 201, description: 'Created', schema: shipmentWriteResponse },
      invalid: '`invalid-shipment`: two lines of one SKU',
      conflict: 'Unknown customer or SKU; a shipment id taken',
      async handle({ body, context }) {
        const shipmentId = newRecordId(ids, 'shipment', body.shipmentId, context);
        return shipmentAnswer(
          await commands.createShipment(commandContext(context), { ...body, shipmentId }),
        );
      },
    }),

    step(
      'pack',
      'packShipment',
      'Pack: take the stock of every line, all or none',
      packBody,
      'Not enough of a SKU (`insufficient-stock`, naming each SKU short and by how much); not a created shipment; dated before a SKU last moved; a closed period',
      (id, input: { packedOn: string }, context) =>
        commands.packShipment(commandContext(context), { shipmentId: id, ...input }),
    ),
    step(
      'dispatch',
      'dispatchShipment',
      'Dispatch a packed shipment',
      dispatchBody,
      'Not packed (`shipment-transition-not-allowed`)',
      (id, input: { carrier: string; trackingNumber: string; dispatchedOn: string }, context) =>
        commands.dispatchShipment(commandContext(context), { shipmentId: id, ...input }),
    ),
    step(
      'delivery',
      'deliverShipment',
      'Record the delivery of a dispatched shipment',
      deliveryBody,
      'Not dispatched',
      (id, input: { deliveredOn: string; receivedBy?: string }, context) =>
        commands.deliverShipment(commandContext(context), { shipmentId: id, ...input }),
    ),
    step(
      'cancel',
      'cancelShipment',
      'Cancel a shipment before dispatch; a packed one gets its stock back',
      cancelBody,
      'Dispatched or delivered already, or cancelled',
      (id, input: { reason: string; cancelledOn: string }, context) =>
        commands.cancelShipment(commandContext(context), { shipmentId: id, ...input }),
    ),

    listRoute({
      path: '/v1/shipments',
      operationId: 'listShipments',
      summary: 'Shipments by the day created',
      tag: 'logistics',
      scopes: READ,
      filters: shipmentFilters,
      readModels: LOGISTICS_READ_MODELS.shipments,
      item: shipmentResponse,
      pageDescription: 'A page of shipments',
      async handle({ query, context }) {
        return queries.listShipments({ ...query, mayRead: addressReader(context) });
      },
    }),

    recordRoute({
      path: '/v1/shipments/{id}',
      operationId: 'getShipment',
      summary: 'A shipment with its timeline',
      tag: 'logistics',
      scopes: READ,
      params: idParams,
      readModels: LOGISTICS_READ_MODELS.shipments,
      response: { description: 'The shipment', schema: shipmentResponse },
      notFound: {
        description: 'No such shipment',
        detail: ({ id }) => `Shipment ${id} does not exist`,
      },
      async handle({ params, context }) {
        const found = await queries.shipment(params.id, addressReader(context));
        return found && { body: withoutRevision(found), revision: found.revision };
      },
    }),
  ];
}
