import type { Channel } from 'amqplib';

/**
 * Returns once every ack sent on `channel` for the quorum queue `queue` is in the queue's
 * log, so that closing the channel gives back only the messages it never acked.
 *
 * A channel hands acks to a quorum queue as Raft commands. Once 32 of its commands wait
 * to be applied it stops sending settlements and keeps them until applied notifications
 * come back (RabbitMQ's rabbit_fifo_client:settle/3, soft limit 32, same in 3.10 and 4.x);
 * closing the channel drops what it kept (rabbit_quorum_queue:close/1 does nothing with
 * it), and the queue then returns those acked messages with the unacked ones
 * (rabbitmq-server issue #10327). A run of thousands of single acks reaches that limit,
 * and a drain left up to 467 of 10,000 originals behind on RabbitMQ 3.10.8.
 *
 * A synchronous AMQP round trip proves only that the channel received the acks. basic.get
 * on a quorum queue is a command through the log that is answered once applied, so every
 * command the channel sent before it is applied too and notified; the channel handles
 * those notifications before the next frame and sends what it kept, and a second
 * basic.get is answered only after that is applied as well. Whatever the gets return
 * stays unacked and goes back with the other unacked messages when the channel closes.
 */
export async function awaitSettlements(channel: Channel, queue: string): Promise<void> {
  for (let round = 0; round < 2; round++) await channel.get(queue, { noAck: false });
}
