/**
 * The write: an order row and its change message, committed together (G1). After the commit the
 * outbox publishes the change to the SNS topic `<prefix>-order` at once; if this process dies
 * first, the sweeper of the workers deployment re-sends it.
 *
 * @param {import('@changeflow/outbox').Outbox<any>} outbox
 * @param {{ id: string, item: string, quantity: number }} order
 */
export async function placeOrder(outbox, order) {
  return outbox.transaction(async (trx, changes) => {
    await trx.insertInto('orders').values({ id: order.id, item: order.item, quantity: order.quantity }).execute();
    await changes.record({ objectType: 'order', objectId: order.id, objectVersion: 1, changeType: 'CREATE' });
  });
}
