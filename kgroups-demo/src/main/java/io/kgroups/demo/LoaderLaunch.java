package io.kgroups.demo;

import java.util.List;

/**
 * How a run starts one storage loader in a JVM of its own: {@code mainClass} on this JVM's class
 * path, with {@code arguments} and then the loader's own options ({@code --bootstrap-server},
 * {@code --group}, ... as {@code kgroups load-orders} takes them).
 */
public record LoaderLaunch(String mainClass, List<String> arguments) {
    public LoaderLaunch {
        arguments = List.copyOf(arguments);
    }
}
