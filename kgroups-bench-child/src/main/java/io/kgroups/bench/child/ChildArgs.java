package io.kgroups.bench.child;

import java.util.HashMap;
import java.util.Map;

/**
 * A child's {@code key=value} arguments: those every child takes as components, read and checked
 * at once; a child's own ones with {@link #required}. A malformed or missing argument fails the
 * child.
 *
 * @param mode throughput, bounded or log: see {@link Progress}
 * @param values every argument, by key
 */
public record ChildArgs(String bootstrap, String topic, String group, long records, int concurrency, long sleepMs,
        String mode, Map<String, String> values, ChildProcess child) {

    public static ChildArgs parse(String[] args, ChildProcess child) {
        Map<String, String> values = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                child.fail("argument '" + a + "' is not key=value");
            }
            values.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return new ChildArgs(required(values, "bootstrap", child), required(values, "topic", child),
                required(values, "group", child), Long.parseLong(required(values, "records", child)),
                Integer.parseInt(required(values, "concurrency", child)),
                Long.parseLong(required(values, "sleepMs", child)), required(values, "mode", child), values, child);
    }

    public String required(String key) {
        return required(values, key, child);
    }

    /** The arguments whose keys start with {@code prefix}, with the prefix taken off. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> matching = new HashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                matching.put(key.substring(prefix.length()), value);
            }
        });
        return matching;
    }

    private static String required(Map<String, String> values, String key, ChildProcess child) {
        String value = values.get(key);
        if (value == null) {
            child.fail("missing argument " + key + "=...");
        }
        return value;
    }
}
