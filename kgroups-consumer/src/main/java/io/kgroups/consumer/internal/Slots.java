package io.kgroups.consumer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Handler slots: at most {@code limit} chains run at once over all lanes. Chains that find no
 * slot wait in their lane's queue, and freed slots go round-robin over the lanes that wait; a
 * chain that has used its quantum while others wait gives its slot back and queues again at the
 * end (see {@link Lane}), so that with more lanes than slots every lane starts within a bounded
 * time. While other lanes wait, one lane holds at most {@code perLaneLimit} slots, so that one
 * slow partition cannot take them all; when no other lane waits it may use every slot (a single
 * hot partition is the common case for key ordering). The executor may be unbounded (virtual
 * threads): the bound is here.
 *
 * <p>A task the executor refuses gives its slot back at once and is reported; no path leaves a
 * slot taken.
 */
final class Slots {
    /** Told when the executor refused a chain (a user executor shut down, or its queue full). */
    interface Refusals {
        void refused(Lane.Chain chain, Throwable error);
    }

    private final Executor executor;
    private final int limit;
    private final int perLaneLimit;
    private final Refusals refusals;
    private final ArrayDeque<Lane> waitingLanes = new ArrayDeque<>();
    private int active;
    /** Chains waiting for a slot; read without the lock by chains deciding whether to give theirs back. */
    private volatile int waiting;

    Slots(Executor executor, int limit, int perLaneLimit, Refusals refusals) {
        this.executor = executor;
        this.limit = limit;
        this.perLaneLimit = perLaneLimit;
        this.refusals = refusals;
    }

    /** Runs {@code chain} when a slot is free; the chain must {@link #release} it when its run ends. */
    void request(Lane lane, Lane.Chain chain) {
        synchronized (this) {
            if (!grant(lane)) {
                if (lane.slotWaiters.isEmpty()) {
                    waitingLanes.add(lane);
                }
                lane.slotWaiters.add(chain);
                waiting++;
                return;
            }
        }
        submit(List.of(chain));
    }

    /** Gives back the slot a chain of {@code lane} held, and hands free slots to waiting chains. */
    void release(Lane lane) {
        List<Lane.Chain> granted;
        synchronized (this) {
            active--;
            lane.slotsHeld--;
            granted = grantWaiting();
        }
        submit(granted);
    }

    /** Whether a chain waits for a slot (any lane, any key): a chain past its quantum then yields. */
    boolean othersWaiting() {
        return waiting > 0;
    }

    /** A closed lane's waiting chains leave the queue (they would find the lane closed); returns them. */
    synchronized List<Lane.Chain> forget(Lane lane) {
        if (lane.slotWaiters.isEmpty()) {
            return List.of();
        }
        List<Lane.Chain> removed = new ArrayList<>(lane.slotWaiters);
        waiting -= removed.size();
        lane.slotWaiters.clear();
        waitingLanes.remove(lane);
        return removed;
    }

    private List<Lane.Chain> grantWaiting() {
        List<Lane.Chain> granted = null;
        int lanes = waitingLanes.size();
        for (int i = 0; i < lanes && active < limit; i++) {
            Lane next = waitingLanes.poll();
            if (!grant(next)) {
                waitingLanes.add(next);
                continue;
            }
            if (granted == null) {
                granted = new ArrayList<>(2);
            }
            granted.add(next.slotWaiters.poll());
            waiting--;
            if (!next.slotWaiters.isEmpty()) {
                waitingLanes.add(next);
            }
        }
        return granted == null ? List.of() : granted;
    }

    private boolean grant(Lane lane) {
        if (active >= limit) {
            return false;
        }
        boolean othersWait = waitingLanes.size() > 1 || (waitingLanes.size() == 1 && waitingLanes.peek() != lane);
        if (othersWait && lane.slotsHeld >= perLaneLimit) {
            return false;
        }
        active++;
        lane.slotsHeld++;
        return true;
    }

    /** Submits granted chains; a refused one gives its slot back (to the next waiting chain) and is reported. */
    private void submit(List<Lane.Chain> granted) {
        ArrayDeque<Lane.Chain> toSubmit = null;
        for (Lane.Chain chain : granted) {
            Lane.Chain next = chain;
            while (next != null) {
                Lane.Chain current = next;
                next = null;
                try {
                    executor.execute(current);
                } catch (Throwable error) {
                    List<Lane.Chain> more;
                    synchronized (this) {
                        active--;
                        current.lane().slotsHeld--;
                        more = grantWaiting();
                    }
                    refusals.refused(current, error);
                    if (!more.isEmpty()) {
                        if (toSubmit == null) {
                            toSubmit = new ArrayDeque<>();
                        }
                        toSubmit.addAll(more);
                    }
                }
                if (next == null && toSubmit != null && !toSubmit.isEmpty()) {
                    next = toSubmit.poll();
                }
            }
        }
    }
}
