package io.kgroups.monitor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One page of {@code /api/groups}: the snapshot's groups filtered (type, status, text), sorted and
 * cut after a cursor. The cursor holds the last group's sort key and name, so the next page
 * starts where the last one ended even when the groups moved between cycles (a group whose lag
 * grew past the cursor is on neither page; one that came in before it is skipped: keyset paging,
 * as any live list has it).
 *
 * @param query the filters, the sort and the page asked for
 * @param groups the page
 * @param matched how many groups pass the filters, on every page
 * @param counts per status, how many pass the filters but the status one (the dashboard's chips)
 * @param next the cursor of the page after this one; null on the last
 */
record GroupPage(Query query, List<Listed> groups, int matched, Map<Status, Integer> counts, String next) {
    /** A group and the cluster it is in (null: the monitor's one, unnamed). */
    record Listed(String cluster, GroupStatus group) {
    }

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 10_000;
    private static final List<String> TYPES = List.of("classic", "consumer", "share", "streams");

    /** How the groups can be sorted, by a name (A to Z first) or a figure (largest first). */
    enum Sort {
        GROUP("group", g -> g.group(), false),
        TYPE("type", g -> g.type(), false),
        STATE("state", g -> g.state() == null ? "" : g.state(), false),
        STATUS("status", g -> (double) g.status().severity(), true),
        TOTAL_LAG("totalLag", g -> (double) g.totalLag(), true),
        MAX_LAG_SECONDS("maxLagSeconds", g -> g.maxLagSeconds() == null ? -1.0 : g.maxLagSeconds(), true),
        MEMBERS("members", g -> (double) g.members(), true);

        final String word;
        final Function<GroupStatus, Comparable<?>> key;
        /** A figure (a Double key), largest first unless asked otherwise; else a name. */
        final boolean numeric;

        Sort(String word, Function<GroupStatus, Comparable<?>> key, boolean numeric) {
            this.word = word;
            this.key = key;
            this.numeric = numeric;
        }

        static Sort of(String word) {
            for (Sort s : values()) {
                if (s.word.equals(word)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("sort=" + word + " is not one of group, type, state, status, totalLag, "
                    + "maxLagSeconds, members");
        }
    }

    /** What a request asks for; every field but the sort may be null (not filtered). */
    record Query(String cluster, String type, Status status, String text, Sort sort, boolean descending, int limit,
            String after) {
        /**
         * From the request's parameters (null where absent); a value that is not understood is an
         * IllegalArgumentException that says what would be.
         */
        static Query parse(String cluster, String type, String status, String text, String sort, String order, String limit,
                String after) {
            if (type != null && !type.isEmpty() && !TYPES.contains(type)) {
                throw new IllegalArgumentException("type=" + type + " is not one of " + String.join(", ", TYPES));
            }
            Status wanted = null;
            if (status != null && !status.isEmpty()) {
                try {
                    wanted = Status.valueOf(status.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("status=" + status + " is not one of OK, UNKNOWN, WARNING, STALLED, "
                            + "STOPPED, REWIND, AT_RISK");
                }
            }
            Sort by = sort == null || sort.isEmpty() ? Sort.GROUP : Sort.of(sort);
            boolean descending;
            if (order == null || order.isEmpty()) {
                descending = by.numeric;
            } else if (order.equals("asc") || order.equals("desc")) {
                descending = order.equals("desc");
            } else {
                throw new IllegalArgumentException("order=" + order + " is not asc or desc");
            }
            int n = DEFAULT_LIMIT;
            if (limit != null && !limit.isEmpty()) {
                try {
                    n = Integer.parseInt(limit);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || n > MAX_LIMIT) {
                    throw new IllegalArgumentException("limit=" + limit + " is not a number from 1 to " + MAX_LIMIT);
                }
            }
            String q = text == null || text.isBlank() ? null : text.trim().toLowerCase(Locale.ROOT);
            return new Query(cluster == null || cluster.isEmpty() ? null : cluster, type == null || type.isEmpty() ? null : type,
                    wanted, q, by, descending, n,
                    after == null || after.isEmpty() ? null : after);
        }
    }

    static GroupPage of(MonitorSnapshot snapshot, Query query) {
        return of(List.of(new ClusterSnapshot(null, snapshot)), query);
    }

    /** A page of the groups of every cluster, the cluster filter first. */
    static GroupPage of(List<ClusterSnapshot> clusters, Query query) {
        Cursor after = query.after() == null ? null : Cursor.decode(query.after(), query.sort());
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
        List<Listed> matching = new ArrayList<>();
        for (ClusterSnapshot c : clusters) {
            if (query.cluster() != null && !query.cluster().equals(c.cluster())) {
                continue;
            }
            for (GroupStatus g : c.snapshot().groups()) {
                if ((query.type() != null && !query.type().equals(g.type()))
                        || (query.text() != null && !mentions(g, query.text()))) {
                    continue;
                }
                counts.merge(g.status(), 1, Integer::sum);
                if (query.status() == null || query.status() == g.status()) {
                    matching.add(new Listed(c.cluster(), g));
                }
            }
        }
        matching.sort(comparator(query));
        int from = 0;
        if (after != null) {
            // The first group past the cursor: the list is sorted, so a binary search on (key, name, cluster).
            int low = 0;
            int high = matching.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (after.compareTo(matching.get(mid), query) < 0) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            from = low;
        }
        int to = Math.min(matching.size(), from + query.limit());
        List<Listed> page = List.copyOf(matching.subList(from, to));
        String next = to < matching.size() ? Cursor.of(page.get(page.size() - 1), query.sort()).encode() : null;
        return new GroupPage(query, page, matching.size(), counts, next);
    }

    /** Whether the group's name, state, type or a topic holds {@code text} (lower case), as the dashboard's filter did. */
    private static boolean mentions(GroupStatus g, String text) {
        if (g.group().toLowerCase(Locale.ROOT).contains(text) || g.type().contains(text)
                || (g.state() != null && g.state().toLowerCase(Locale.ROOT).contains(text))) {
            return true;
        }
        String last = null;
        for (PartitionStatus p : g.partitions()) {
            if (!p.topic().equals(last) && p.topic().toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
            last = p.topic();
        }
        return false;
    }

    private static final Comparator<String> CLUSTERS = Comparator.nullsFirst(Comparator.naturalOrder());

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Listed> comparator(Query query) {
        Comparator<Listed> byKey = (a, b) -> ((Comparable) query.sort().key.apply(a.group()))
                .compareTo(query.sort().key.apply(b.group()));
        return (query.descending() ? byKey.reversed() : byKey).thenComparing(l -> l.group().group())
                .thenComparing(Listed::cluster, CLUSTERS);
    }

    /** Where a page ended: the sort key, the name and the cluster of its last group. */
    private record Cursor(Comparable<?> key, String name, String cluster) {
        static Cursor of(Listed last, Sort sort) {
            return new Cursor(sort.key.apply(last.group()), last.group().group(), last.cluster());
        }

        /** Below 0: {@code g} comes after this cursor in the query's order. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        int compareTo(Listed g, Query query) {
            int byKey = ((Comparable) key).compareTo(query.sort().key.apply(g.group()));
            if (query.descending()) {
                byKey = -byKey;
            }
            if (byKey != 0) {
                return byKey;
            }
            int byName = name.compareTo(g.group().group());
            return byName != 0 ? byName : CLUSTERS.compare(cluster, g.cluster());
        }

        String encode() {
            // The name last: a group name may hold any character, a NUL too.
            String text = (key instanceof Double d ? "n" + d : "s" + key) + '\u0000' + (cluster == null ? "" : cluster)
                    + '\u0000' + name;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor, Sort sort) {
            String text;
            try {
                text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("after=" + cursor + " is not a cursor: pass the next of the previous page");
            }
            String[] parts = text.split("\u0000", 3);
            boolean numeric = sort.numeric;
            if (parts.length != 3 || parts[0].isEmpty() || (parts[0].charAt(0) == 'n') != numeric) {
                throw new IllegalArgumentException("after=" + cursor + " is not a cursor of sort=" + sort.word
                        + ": pass the next of the previous page, with the same sort");
            }
            String key = parts[0].substring(1);
            try {
                return new Cursor(numeric ? Double.valueOf(key) : key, parts[2], parts[1].isEmpty() ? null : parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("after=" + cursor + " is not a cursor: pass the next of the previous page");
            }
        }
    }
}
