package io.kgroups.orders;

import java.util.List;

/** A child process for {@link OrderStoreDurabilityTest}: stores batches, says so, and dies like SIGKILL. */
public final class StoreThenHalt {
    public static void main(String[] args) throws Exception {
        OrderStore store = OrderStore.open(args[0], null, null, 2, false);
        int batches = Integer.parseInt(args[1]);
        for (int b = 0; b < batches; b++) {
            store.store(List.of(new OrderStore.Delivery(OrderStoreTest.event("o-" + b, 1), "orders", 0, b)));
        }
        System.out.println("stored " + batches);
        System.out.flush();
        Runtime.getRuntime().halt(137); // no shutdown hooks, no close: as if killed
    }
}
