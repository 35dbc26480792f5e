package io.kgroups.cli;

import java.util.Iterator;
import java.util.List;

/**
 * Marks the --cluster option for shell completion: picocli writes this one placeholder candidate
 * into the script, and {@link CompletionCommand} replaces it with a call that reads the names of
 * the config file.
 */
final class ClusterNameCandidates implements Iterable<String> {
    static final String PLACEHOLDER = "__kgroups_cluster_names__";

    @Override
    public Iterator<String> iterator() {
        return List.of(PLACEHOLDER).iterator();
    }
}
