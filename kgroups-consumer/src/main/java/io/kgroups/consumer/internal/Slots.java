package io.kgroups.consumer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Handler slots: at most {@code limit} handler tasks run at once over all partitions. While other
 * partitions wait for a slot, one partition gets at most {@code perLaneLimit}, so that one slow
 * partition cannot take every slot; when no other partition waits, it may use them all (a single
 * hot partition is the common case for key ordering). A task that finds no slot waits in its
 * partition's queue; freed slots go round-robin over the partitions that wait. The executor may
 * be unbounded (virtual threads): the bound is here.
 */
final class Slots {
    private final Executor executor;
    private final int limit;
    private final int perLaneLimit;
    private int active;
    private final Map<PartitionLane, Integer> held = new IdentityHashMap<>();
    private final Map<PartitionLane, ArrayDeque<Runnable>> waiting = new IdentityHashMap<>();
    private final ArrayDeque<PartitionLane> waitingLanes = new ArrayDeque<>();

    Slots(Executor executor, int limit, int perLaneLimit) {
        this.executor = executor;
        this.limit = limit;
        this.perLaneLimit = perLaneLimit;
    }

    /** Runs {@code task} for {@code lane} when a slot is free; the task must {@link #release} it. */
    void request(PartitionLane lane, Runnable task) {
        synchronized (this) {
            if (!grant(lane)) {
                ArrayDeque<Runnable> queue = waiting.computeIfAbsent(lane, l -> new ArrayDeque<>());
                if (queue.isEmpty()) {
                    waitingLanes.add(lane);
                }
                queue.add(task);
                return;
            }
        }
        submit(lane, task);
    }

    /** Gives back the slot a task of {@code lane} held, and hands free slots to waiting tasks. */
    void release(PartitionLane lane) {
        List<Map.Entry<PartitionLane, Runnable>> granted = null;
        synchronized (this) {
            active--;
            held.merge(lane, -1, (a, b) -> a + b == 0 ? null : a + b);
            int lanes = waitingLanes.size();
            for (int i = 0; i < lanes && active < limit; i++) {
                PartitionLane next = waitingLanes.poll();
                if (!grant(next)) {
                    waitingLanes.add(next);
                    continue;
                }
                ArrayDeque<Runnable> queue = waiting.get(next);
                if (granted == null) {
                    granted = new ArrayList<>();
                }
                granted.add(Map.entry(next, queue.poll()));
                if (queue.isEmpty()) {
                    waiting.remove(next);
                } else {
                    waitingLanes.add(next);
                }
            }
        }
        if (granted != null) {
            for (Map.Entry<PartitionLane, Runnable> entry : granted) {
                submit(entry.getKey(), entry.getValue());
            }
        }
    }

    private boolean grant(PartitionLane lane) {
        if (active >= limit) {
            return false;
        }
        boolean othersWait = waitingLanes.size() > 1 || (waitingLanes.size() == 1 && waitingLanes.peek() != lane);
        if (othersWait && held.getOrDefault(lane, 0) >= perLaneLimit) {
            return false;
        }
        active++;
        held.merge(lane, 1, Integer::sum);
        return true;
    }

    private void submit(PartitionLane lane, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            release(lane); // shutting down: the records stay not done
        }
    }

    synchronized int active() {
        return active;
    }
}
