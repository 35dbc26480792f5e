package io.kgroups.demo;

/**
 * The kinds of group the run's loaders form: Kafka's two consumer-group protocols, as
 * {@code group.protocol} names them, or a share group (KIP-932).
 */
public enum GroupProtocol {
    /** The classic rebalance protocol, assignment by the members. */
    classic,
    /** KIP-848: assignment by the broker, no stop-the-world rebalance. */
    consumer,
    /** A share group: records handed out one by one to any member, acknowledged each. */
    share
}
