package io.kgroups.admin.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A long list of groups read a chunk at a time, one chunk ahead: while chunk k is handed on
 * (printed), chunk k+1 is read and assembled on a thread of its own, so the broker's answer time,
 * the assembly and the printing overlap, and at most two chunks are in memory.
 */
public final class Chunks {
    private Chunks() {
    }

    /** {@code items} in chunks of {@code size}, in order. */
    public static <T> List<List<T>> of(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            chunks.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return chunks;
    }

    /**
     * For each chunk in order: {@code read} it (on a thread of its own, the next one while
     * {@code handle} takes this one's), then {@code handle} what was read, on the caller's thread.
     * A failure of either ends the walk with it; a read ahead is then abandoned.
     */
    public static <C, R> void readAhead(List<C> chunks, Function<C, R> read, Consumer<R> handle) {
        if (chunks.isEmpty()) {
            return;
        }
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "kgroups-read-ahead");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture<R> next = CompletableFuture.supplyAsync(() -> read.apply(chunks.get(0)), reader);
            for (int i = 0; i < chunks.size(); i++) {
                R readings = join(next);
                if (i + 1 < chunks.size()) {
                    C following = chunks.get(i + 1);
                    next = CompletableFuture.supplyAsync(() -> read.apply(following), reader);
                }
                handle.accept(readings);
            }
        } finally {
            reader.shutdownNow();
        }
    }

    /** The read's result, or its own exception (a one-line GroupAdminException), not a wrapper. */
    private static <R> R join(CompletableFuture<R> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
