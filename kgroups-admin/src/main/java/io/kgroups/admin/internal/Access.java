package io.kgroups.admin.internal;

import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ACL a call needs, so that Kafka refusing it can be told as what to grant: the principal,
 * the operation, the resource, and the {@code kafka-acls} line that grants it.
 *
 * @param operation as kafka-acls names it: Describe, Read, Delete, DescribeConfigs ...
 * @param resourceType group, topic or cluster
 * @param names the groups or topics the call is about (what the error names when Kafka names none)
 */
public record Access(String operation, String resourceType, List<String> names) {
    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    public Access {
        names = List.copyOf(names);
    }

    public static Access group(String operation, String group) {
        return new Access(operation, "group", List.of(group));
    }

    /** On the topics Kafka names in its error. */
    public static Access topics(String operation) {
        return new Access(operation, "topic", List.of());
    }

    /** On these topics, when Kafka names none. */
    public static Access topics(String operation, Collection<String> topics) {
        return new Access(operation, "topic", new TreeSet<>(topics).stream().toList());
    }

    public static Access cluster(String operation) {
        return new Access(operation, "cluster", List.of());
    }

    /**
     * The principal the client properties authenticate as, where they say it (the user name of a
     * SASL PLAIN or SCRAM login); null when they do not (no SASL, Kerberos, OAuth, mTLS ...).
     * Only the name is read: nothing else of the JAAS config is kept.
     */
    public static String principal(Properties clientProperties) {
        String jaas = clientProperties.getProperty("sasl.jaas.config");
        if (jaas == null) {
            return null;
        }
        Matcher m = USERNAME.matcher(jaas);
        return m.find() ? "User:" + m.group(1) : null;
    }

    /**
     * What to say when Kafka refused the call for lack of this ACL.
     *
     * @param principal null when not known
     * @param named the resources Kafka named (empty: this access's own names)
     */
    String denied(String what, String principal, String bootstrap, List<String> named) {
        List<String> resources = named.isEmpty() ? names : named;
        String who = principal == null ? "the principal kgroups connects as" : principal;
        StringBuilder line = new StringBuilder("kafka-acls --bootstrap-server ").append(bootstrap)
                .append(" --command-config ADMIN.properties --add --allow-principal ")
                .append(principal == null ? "User:NAME" : quoted(principal)).append(" --operation ").append(operation);
        String on;
        if (resourceType.equals("cluster") || resources.isEmpty()) {
            on = resourceType.equals("cluster") ? "the cluster" : "the " + resourceType + "s";
            line.append(resourceType.equals("cluster") ? " --cluster" : " --" + resourceType + " NAME");
        } else {
            on = resourceType + " " + String.join(", ", resources.stream().map(n -> "'" + n + "'").toList());
            resources.forEach(n -> line.append(" --").append(resourceType).append(' ').append(quoted(n)));
        }
        return who + " is not authorized to " + what + ": it needs " + operation + " on " + on + "; grant it with: " + line;
    }

    /** A shell word: as it is when it is plain, else in single quotes. */
    private static String quoted(String word) {
        return word.matches("[A-Za-z0-9._:@/=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
