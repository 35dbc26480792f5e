package io.kgroups.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A file of the repository that holds the running kgroups-bench jar (the peers' jars, kgroups.jar,
 * postgres-test), or, failing that, of the working directory.
 */
final class RepositoryFile {
    private RepositoryFile() {
    }

    /** {@code relative} (e.g. {@code kgroups-cli/target/kgroups.jar}); {@code missing} says how to make it. */
    static Path find(String relative, String missing) {
        List<Path> candidates = new ArrayList<>();
        try {
            Path self = Path.of(RepositoryFile.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../kgroups-bench/target/kgroups-bench.jar (or .../kgroups-bench/target/classes)
            if (self.getParent() != null && self.getParent().getParent() != null
                    && self.getParent().getParent().getParent() != null) {
                candidates.add(self.getParent().getParent().getParent().resolve(relative));
            }
        } catch (URISyntaxException e) {
            // then only the working directory
        }
        candidates.add(Path.of("").toAbsolutePath().resolve(relative));
        for (Path candidate : candidates) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " is missing (looked at " + candidates + "): " + missing);
    }
}
