package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class DoneOffsetsCodecProperties {

    @Provide
    Arbitrary<Set<Integer>> doneAbove() {
        // Sparse and dense sets, spans up to 20,000 offsets above the committed one.
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 20_000).set().ofMaxSize(200),
                Arbitraries.integers().between(1, 3_000).set().ofMinSize(100).ofMaxSize(2_900));
    }

    @Property(tries = 300)
    void decodeGivesBackWhatWasEncoded(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long base,
            @ForAll("doneAbove") Set<Integer> above) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> base + i).toArray();

        String metadata = DoneOffsetsCodec.encode(base, done);

        assertThat(DoneOffsetsCodec.decode(metadata, base)).containsExactly(done);
        assertThat(DoneOffsetsCodec.encodedLength(base, done)).isEqualTo(metadata.length());
    }

    @Property(tries = 200)
    void theEncodingIsNoLargerThanABitsetOfTheSpan(@ForAll("doneAbove") Set<Integer> above) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> 1_000L + i).toArray();
        if (done.length == 0) {
            return;
        }
        long span = done[done.length - 1] - 1_000L;
        // prefix + kind + base64 of (base, count varints + span/8 bytes)
        long bound = 4 + ((span + 7) / 8 + 2 + 10 + 2) * 4 / 3 + 2;
        assertThat((long) DoneOffsetsCodec.encode(1_000L, done).length()).isLessThanOrEqualTo(bound);
    }

    @Property(tries = 100)
    void runsKeepLongDoneStretchesSmall(@ForAll @LongRange(min = 0, max = 1_000_000) long base) {
        long[] done = new long[100_000];
        Arrays.setAll(done, i -> base + 2 + i); // one gap, then 100,000 done
        assertThat(DoneOffsetsCodec.encode(base, done)).hasSizeLessThan(40);
    }

    @Property(tries = 1_000)
    void arbitraryStringsNeverCrashTheDecoder(@ForAll @Size(max = 200) String text, @ForAll long committed) {
        try {
            DoneOffsetsCodec.decode(text, committed);
        } catch (IllegalArgumentException expected) {
            // foreign or corrupt: refused with a reason, which the runtime logs and ignores
        }
    }

    @Property(tries = 1_000)
    void corruptedEncodingsNeverCrashTheDecoder(@ForAll("doneAbove") Set<Integer> above,
            @ForAll @Size(min = 1, max = 5) java.util.List<@net.jqwik.api.constraints.IntRange(min = 0, max = 10_000) Integer> flips) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> 500L + i).toArray();
        char[] metadata = DoneOffsetsCodec.encode(500L, done).toCharArray();
        if (metadata.length < 5) {
            return;
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int flip : flips) {
            metadata[4 + flip % (metadata.length - 4)] = alphabet.charAt(flip % alphabet.length());
        }
        try {
            long[] decoded = DoneOffsetsCodec.decode(new String(metadata), 500L);
            assertThat(decoded).isSorted();
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }

    @Example
    void metadataOfAnotherOffsetIsRefused() {
        String metadata = DoneOffsetsCodec.encode(100, new long[] {102, 103});
        assertThatThrownBy(() -> DoneOffsetsCodec.decode(metadata, 150))
                .hasMessageContaining("written for offset 100, the group is at 150");
    }

    @Example
    void nothingDoneAboveIsTheEmptyString() {
        assertThat(DoneOffsetsCodec.encode(100, new long[0])).isEmpty();
        assertThat(DoneOffsetsCodec.decode("", 100)).isEmpty();
    }
}
