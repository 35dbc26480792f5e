package io.kgroups.consumer;

/**
 * A snapshot of a share-group member's numbers, the same that it reports as Micrometer meters.
 * Acknowledgements count as the broker confirmed them.
 *
 * @param consumed records delivered to this member (a record delivered again counts again)
 * @param processed records the handler finished
 * @param failed handler attempts that threw (each attempt counts)
 * @param retried retries scheduled (in the runtime, under the same delivery)
 * @param deadLettered records written to a dead-letter topic (then accepted)
 * @param skipped records skipped by the error policy (then accepted)
 * @param inFlight records delivered and not yet acknowledged
 * @param accepted ACCEPT acknowledgements confirmed
 * @param released RELEASE acknowledgements confirmed (records handed to another delivery)
 * @param rejected REJECT acknowledgements confirmed
 * @param renewed locks renewed (RENEW acknowledgements confirmed)
 * @param acknowledgementsRefused acknowledgements the broker refused (the lock had expired): delivered again
 * @param redelivered records delivered with a delivery count above 1
 * @param locksLost records whose renewal the broker refused while the handler ran
 * @param deliveryLimitReached records released at the group's delivery limit (archived by the broker)
 */
public record ShareConsumerStats(
        ConsumerState state,
        long consumed,
        long processed,
        long failed,
        long retried,
        long deadLettered,
        long skipped,
        long inFlight,
        long accepted,
        long released,
        long rejected,
        long renewed,
        long acknowledgementsRefused,
        long redelivered,
        long locksLost,
        long deliveryLimitReached) {
}
