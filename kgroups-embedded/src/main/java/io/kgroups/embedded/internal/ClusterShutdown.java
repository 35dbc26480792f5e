package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops nodes of a KRaft cluster in combined mode so that the stop always ends, and soon.
 *
 * <p>A broker's controlled shutdown needs an active controller, which needs a majority of the
 * quorum's voters. So the broker sides go first, together, while every controller still runs;
 * the controllers go last. When the running controllers are no majority (nodes stopped before),
 * no controller can approve anything, and the brokers stop without waiting for one. Every step
 * is bounded: a node whose step has not ended by then is interrupted and abandoned, and a line in
 * the log says so.
 */
public final class ClusterShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterShutdown.class);
    /** Leaders move in a second or two; longer means the controller cannot answer. */
    private static final Duration APPROVAL_WAIT = Duration.ofSeconds(30);
    /** Beyond the approval wait, a stop takes seconds (logs flushed, the Raft client resigning: 5 s at most). */
    private static final Duration STEP_LIMIT = Duration.ofSeconds(60);

    private ClusterShutdown() {
    }

    /**
     * Stops {@code targets}; {@code runningControllers} of the cluster's {@code voters} run now
     * (targets included).
     */
    public static void stop(List<BrokerNode> targets, int voters, long runningControllers) {
        if (targets.isEmpty()) {
            return;
        }
        boolean quorum = 2 * runningControllers > voters;
        Duration approvalWait = quorum ? APPROVAL_WAIT : Duration.ZERO;
        LOG.info("stopping node(s) {}: broker side first ({}), then the controllers", ids(targets), quorum
                ? "controlled shutdown, " + runningControllers + " of " + voters + " controllers running"
                : "no controlled shutdown: " + runningControllers + " of " + voters + " controllers is no quorum");
        List<RuntimeException> failures = new ArrayList<>();
        List<BrokerNode> brokersStopped = runBounded("broker side", targets, node -> node.stopBrokerSide(approvalWait),
                STEP_LIMIT, failures);
        runBounded("controller side", brokersStopped, BrokerNode::stopControllerSide, STEP_LIMIT, failures);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            throw new EmbeddedKafkaException("stopping Kafka node(s) " + ids(targets) + " failed: " + first.getMessage()
                    + " (broker log in the data directory has the details)", first);
        }
    }

    /**
     * Runs {@code step} on every node at once and waits at most {@code limit} for all of them.
     * Returns the nodes on which it ended; the others are interrupted, abandoned and logged.
     * What a step throws is added to {@code failures} and its node is still returned.
     */
    static List<BrokerNode> runBounded(String stepName, List<BrokerNode> nodes, Consumer<BrokerNode> step,
            Duration limit, List<RuntimeException> failures) {
        Map<BrokerNode, Thread> threads = new LinkedHashMap<>();
        Map<BrokerNode, CompletableFuture<Void>> done = new LinkedHashMap<>();
        for (BrokerNode node : nodes) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    step.accept(node);
                    future.complete(null);
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            }, "kgroups-embedded-stop-node-" + node.nodeId());
            thread.setDaemon(true);
            threads.put(node, thread);
            done.put(node, future);
            thread.start();
        }
        long deadline = System.nanoTime() + limit.toNanos();
        List<BrokerNode> ended = new ArrayList<>();
        // A stop is often asked for by an interrupted thread (a command stopped by an interrupt):
        // it still waits for the nodes, and keeps the interrupt for its caller.
        boolean interrupted = false;
        for (BrokerNode node : nodes) {
            while (true) {
                try {
                    done.get(node).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    break;
                }
            }
            CompletableFuture<Void> future = done.get(node);
            if (!future.isDone()) {
                Thread stuck = threads.get(node);
                LOG.warn("Kafka node {}: its {} did not stop within {} s; halting it: interrupted and abandoned, what "
                        + "is left of it ends with the JVM. It was at: {}", node.nodeId(), stepName, limit.toSeconds(),
                        where(stuck));
                stuck.interrupt();
                node.abandon();
                continue;
            }
            try {
                future.join();
            } catch (CompletionException e) {
                failures.add(e.getCause() instanceof RuntimeException runtime ? runtime
                        : new EmbeddedKafkaException(String.valueOf(e.getCause()), e.getCause()));
            }
            ended.add(node);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return ended;
    }

    private static String where(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < Math.min(8, stack.length); i++) {
            frames.add(stack[i].toString());
        }
        return String.join(" < ", frames);
    }

    private static String ids(List<BrokerNode> nodes) {
        return nodes.stream().map(n -> String.valueOf(n.nodeId())).collect(Collectors.joining(","));
    }
}
