package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** /api/groups' filters, sorts and pages over a snapshot of 40 groups. */
class GroupPageTest {
    private static final List<String> TYPES = List.of("classic", "consumer", "share", "streams");
    private static final Status[] STATUSES = {Status.OK, Status.WARNING, Status.STALLED, Status.UNKNOWN, Status.OK};

    private static GroupStatus group(int i, long lag) {
        PartitionStatus p = new PartitionStatus(i % 3 == 0 ? "payments" : "orders", 0, 0L, null, lag, lag, null, null, 0,
                Status.OK, "", null, 1L);
        return new GroupStatus(String.format("g%02d", i), TYPES.get(i % 4), "Stable", i % 3, STATUSES[i % 5], List.of(), lag,
                i % 7 == 0 ? null : (double) i, List.of(p), List.of(), 1L);
    }

    private static MonitorSnapshot snapshot(int count) {
        List<GroupStatus> groups = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) { // the cycle's order is not the page's
            groups.add(group(i, (i * 37L) % 11));
        }
        return new MonitorSnapshot(1, groups, Map.of(), 1, 0, 0, null, 1);
    }

    private static GroupPage page(MonitorSnapshot s, String type, String status, String q, String sort, String order,
            String limit, String after) {
        return GroupPage.of(s, GroupPage.Query.parse(null, type, status, q, sort, order, limit, after));
    }

    private static List<String> names(GroupPage page) {
        return page.groups().stream().map(l -> l.group().group()).toList();
    }

    /** Every sort, both ways, paged 7 at a time: each group once, in the order of the whole list sorted at once. */
    @ParameterizedTest(name = "sort={0} order={1}")
    @CsvSource({"group,", "group,desc", "type,", "state,", "status,", "status,asc", "totalLag,", "totalLag,asc",
        "maxLagSeconds,", "members,"})
    void pagingVisitsEveryGroupOnceInOrder(String sort, String order) {
        MonitorSnapshot s = snapshot(40);
        List<String> whole = names(page(s, null, null, null, sort, order, "10000", null));
        assertThat(whole).hasSize(40).doesNotHaveDuplicates();
        List<String> paged = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            GroupPage p = page(s, null, null, null, sort, order, "7", after);
            assertThat(p.matched()).isEqualTo(40);
            paged.addAll(names(p));
            after = p.next();
            pages++;
        } while (after != null);
        assertThat(pages).isEqualTo(6);
        assertThat(paged).isEqualTo(whole);
    }

    @Test
    void figuresSortLargestFirstThenByName() {
        GroupPage p = page(snapshot(40), null, null, null, "totalLag", null, "5", null);
        List<Long> lags = p.groups().stream().map(l -> l.group().totalLag()).toList();
        assertThat(lags).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(lags.get(0)).isEqualTo(10);
    }

    /** The cursor holds the last group's key and name: the next page starts after it though that group is gone. */
    @Test
    void theNextPageStartsAfterTheCursorWhenItsGroupIsGone() {
        MonitorSnapshot before = snapshot(40);
        GroupPage first = page(before, null, null, null, "group", null, "10", null);
        assertThat(names(first)).last().isEqualTo("g09");
        List<GroupStatus> without = new ArrayList<>(before.groups());
        without.removeIf(g -> g.group().equals("g09") || g.group().equals("g05"));
        MonitorSnapshot after = new MonitorSnapshot(2, without, Map.of(), 2, 0, 0, null, 1);
        assertThat(names(page(after, null, null, null, "group", null, "3", first.next()))).containsExactly("g10", "g11", "g12");
    }

    @Test
    void filtersCombineAndCountsIgnoreOnlyTheStatusFilter() {
        MonitorSnapshot s = snapshot(40);
        GroupPage share = page(s, "share", "OK", null, null, null, null, null);
        assertThat(share.groups()).allMatch(l -> l.group().type().equals("share") && l.group().status() == Status.OK);
        long shareGroups = s.groups().stream().filter(g -> g.type().equals("share")).count();
        assertThat(share.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) shareGroups);
        assertThat(share.matched()).isEqualTo(share.counts().get(Status.OK));
        // text: in the name, the type, the state or a topic, whatever the case
        assertThat(names(page(s, null, null, "G1", null, null, null, null))).containsExactly("g10", "g11", "g12",
                "g13", "g14", "g15", "g16", "g17", "g18", "g19");
        assertThat(page(s, null, null, "PAYMENTS", null, null, null, null).matched())
                .isEqualTo((int) IntStream.range(0, 40).filter(i -> i % 3 == 0).count());
        assertThat(page(s, null, null, "nothing-like-it", null, null, null, null).groups()).isEmpty();
    }

    @Test
    void theDefaultPageIsFiveHundred() {
        GroupPage p = page(snapshot(1_200), null, null, null, null, null, null, null);
        assertThat(p.groups()).hasSize(GroupPage.DEFAULT_LIMIT);
        assertThat(p.next()).isNotNull();
        assertThat(p.matched()).isEqualTo(1_200);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "type; queue; type=queue is not one of classic, consumer, share, streams",
        "status; BAD; status=BAD is not one of OK",
        "sort; lag; sort=lag is not one of group",
        "order; up; order=up is not asc or desc",
        "limit; 0; limit=0 is not a number from 1 to 10000",
        "limit; ten; limit=ten is not a number from 1 to 10000",
        "after; !!; after=!! is not a cursor",
    })
    void badParametersSayWhatWouldDo(String name, String value, String message) {
        assertThatThrownBy(() -> page(snapshot(3), name.equals("type") ? value : null, name.equals("status") ? value : null,
                null, name.equals("sort") ? value : null, name.equals("order") ? value : null,
                name.equals("limit") ? value : null, name.equals("after") ? value : null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    /** Two clusters with the same groups: each group once per cluster, name then cluster, paged one at a time. */
    @Test
    void theSameGroupInTwoClustersIsTwoRowsInOrder() {
        MonitorSnapshot s = snapshot(3);
        List<ClusterSnapshot> clusters = List.of(new ClusterSnapshot("west", s), new ClusterSnapshot("east", s));
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            GroupPage p = GroupPage.of(clusters, GroupPage.Query.parse(null, null, null, null, null, null, "1", after));
            p.groups().forEach(l -> seen.add(l.cluster() + "/" + l.group().group()));
            after = p.next();
        } while (after != null);
        assertThat(seen).containsExactly("east/g00", "west/g00", "east/g01", "west/g01", "east/g02", "west/g02");
        GroupPage west = GroupPage.of(clusters, GroupPage.Query.parse("west", null, null, null, null, null, null, null));
        assertThat(west.groups()).extracting(GroupPage.Listed::cluster).containsOnly("west");
        assertThat(west.matched()).isEqualTo(3);
    }

    /** A group with 50 reasons shows 10 in a list, the last saying how many more and where they are. */
    @Test
    void aListShowsTenReasonsAndSaysWhereTheRestAre() {
        List<String> reasons = IntStream.range(0, 50).mapToObj(i -> "orders-" + i + " WARNING: lag grew").toList();
        GroupStatus g = new GroupStatus("team a/loader", "classic", "Stable", 1, Status.WARNING, reasons, 1, null, List.of(),
                List.of(), 1L);
        List<String> shown = MonitorServer.summaryReasons(g);
        assertThat(shown).hasSize(MonitorServer.SUMMARY_REASONS).startsWith(reasons.subList(0, 9).toArray(String[]::new));
        assertThat(shown.get(9)).isEqualTo("... and 41 more: /api/group?name=team+a%2Floader has them all");
    }

    @Test
    void aCursorOfAnotherSortIsRefused() {
        String next = page(snapshot(10), null, null, null, "totalLag", null, "2", null).next();
        assertThatThrownBy(() -> page(snapshot(10), null, null, null, "group", null, "2", next))
                .hasMessageContaining("not a cursor of sort=group");
    }
}
