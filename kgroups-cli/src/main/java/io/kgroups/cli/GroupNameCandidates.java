package io.kgroups.cli;

import java.util.Iterator;
import java.util.List;

/**
 * Marks a GROUP argument for shell completion: picocli writes this one placeholder candidate into
 * the script, and {@link CompletionCommand} replaces it with a call that asks the cluster.
 */
final class GroupNameCandidates implements Iterable<String> {
    static final String PLACEHOLDER = "__kgroups_group_names__";

    @Override
    public Iterator<String> iterator() {
        return List.of(PLACEHOLDER).iterator();
    }
}
