package io.kgroups.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON answers (their data, as bytes) made of one set of snapshots, by request: kept until any cluster has a new
 * snapshot, at most {@code size} of them (the least recently asked goes first). The answers'
 * envelope (its time) is made per request; only the data is kept.
 */
final class AnswerCache {
    private final int size;
    private List<ClusterSnapshot> madeOf = List.of(); // guarded by this
    private final Map<String, byte[]> answers; // guarded by this

    AnswerCache(int size) {
        this.size = size;
        this.answers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > AnswerCache.this.size;
            }
        };
    }

    /** The answer to {@code request} made of these very snapshots; null when there is none. */
    synchronized byte[] get(List<ClusterSnapshot> snapshots, String request) {
        return same(snapshots) ? answers.get(request) : null;
    }

    synchronized void put(List<ClusterSnapshot> snapshots, String request, byte[] answer) {
        if (!same(snapshots)) {
            answers.clear();
            madeOf = snapshots;
        }
        answers.put(request, answer);
    }

    /** The same snapshot objects: a snapshot is immutable, and each cycle makes a new one. */
    private boolean same(List<ClusterSnapshot> snapshots) {
        if (snapshots.size() != madeOf.size()) {
            return false;
        }
        for (int i = 0; i < snapshots.size(); i++) {
            if (snapshots.get(i).snapshot() != madeOf.get(i).snapshot()) {
                return false;
            }
        }
        return true;
    }
}
