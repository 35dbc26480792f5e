package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class DoneOffsetsCodecProperties {
    private static final Optional<Integer> EPOCH_7 = Optional.of(7);

    @Provide
    Arbitrary<Set<Integer>> doneAbove() {
        // Sparse and dense sets, spans up to 20,000 offsets above the committed one.
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 20_000).set().ofMaxSize(200),
                Arbitraries.integers().between(1, 3_000).set().ofMinSize(100).ofMaxSize(2_900));
    }

    /** Epochs that step up along the offsets now and then, as leader changes make them. */
    private static int[] epochs(long[] done, int changes) {
        int[] epochs = new int[done.length];
        for (int i = 0; i < done.length; i++) {
            epochs[i] = 7 + (changes == 0 ? 0 : (int) ((long) i * changes / Math.max(1, done.length)));
        }
        return epochs;
    }

    @Property(tries = 300)
    void decodeGivesBackWhatWasEncoded(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long base,
            @ForAll("doneAbove") Set<Integer> above, @ForAll @IntRange(min = 0, max = 5) int epochChanges) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> base + i).toArray();
        int[] epochs = epochs(done, epochChanges);

        String metadata = DoneOffsetsCodec.encode(base, 7, done, epochs);

        DoneOffsets decoded = DoneOffsetsCodec.decode(metadata, base, EPOCH_7);
        assertThat(decoded.offsets()).containsExactly(done);
        assertThat(decoded.epochs()).containsExactly(epochs);
        assertThat(DoneOffsetsCodec.encodedLength(base, 7, done, epochs)).isEqualTo(metadata.length());
    }

    @Property(tries = 200)
    void theEncodingIsNoLargerThanABitsetOfTheSpan(@ForAll("doneAbove") Set<Integer> above) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> 1_000L + i).toArray();
        if (done.length == 0) {
            return;
        }
        long span = done[done.length - 1] - 1_000L;
        // prefix + kind + base64 of (base, epoch, one segment, count varints + span/8 bytes)
        long bound = 4 + ((span + 7) / 8 + 2 + 10 + 2 + 1 + 1 + 10) * 4 / 3 + 2;
        assertThat((long) DoneOffsetsCodec.encode(1_000L, 7, done, epochs(done, 0)).length()).isLessThanOrEqualTo(bound);
    }

    @Property(tries = 100)
    void runsKeepLongDoneStretchesSmall(@ForAll @LongRange(min = 0, max = 1_000_000) long base) {
        long[] done = new long[100_000];
        Arrays.setAll(done, i -> base + 2 + i); // one gap, then 100,000 done
        assertThat(DoneOffsetsCodec.encode(base, 7, done, epochs(done, 0))).hasSizeLessThan(40);
    }

    @Example
    void gapsOfAnySizeRoundTrip() {
        // A compacted topic: done offsets 3 billion apart. A bitset of that span would be 375 MB; the
        // encoder must not build it, nor overflow an int, and the decoder must take the gap.
        long base = 10;
        long[] done = {11, 3_000_000_011L, 3_000_000_012L, 9_000_000_000L};
        int[] epochs = {7, 7, 8, 9};
        String metadata = DoneOffsetsCodec.encode(base, 7, done, epochs);
        assertThat(metadata).hasSizeLessThan(60);
        DoneOffsets decoded = DoneOffsetsCodec.decode(metadata, base, EPOCH_7);
        assertThat(decoded.offsets()).containsExactly(done);
        assertThat(decoded.epochs()).containsExactly(epochs);
    }

    @Example
    void hostileRunsClaimingBillionsOfDoneOffsetsAreRefused() {
        long[] done = new long[DoneOffsetsCodec.MAX_DONE + 1];
        Arrays.setAll(done, i -> 101L + i);
        String metadata = DoneOffsetsCodec.encode(100, 7, done, epochs(done, 0)); // a few bytes of runs
        assertThat(metadata).hasSizeLessThan(40);
        assertThatThrownBy(() -> DoneOffsetsCodec.decode(metadata, 100, EPOCH_7))
                .hasMessageContaining("more than " + DoneOffsetsCodec.MAX_DONE + " done offsets");
    }

    @Property(tries = 1_000)
    void arbitraryStringsNeverCrashTheDecoder(@ForAll @Size(max = 200) String text, @ForAll long committed) {
        try {
            DoneOffsetsCodec.decode(text, committed, EPOCH_7);
        } catch (IllegalArgumentException expected) {
            // foreign or corrupt: refused with a reason, which the runtime logs and ignores
        }
    }

    @Property(tries = 1_000)
    void corruptedEncodingsNeverCrashTheDecoder(@ForAll("doneAbove") Set<Integer> above,
            @ForAll @Size(min = 1, max = 5) java.util.List<@IntRange(min = 0, max = 10_000) Integer> flips) {
        long[] done = new TreeSet<>(above).stream().mapToLong(i -> 500L + i).toArray();
        char[] metadata = DoneOffsetsCodec.encode(500L, 7, done, epochs(done, 2)).toCharArray();
        if (metadata.length < 5) {
            return;
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int flip : flips) {
            metadata[4 + flip % (metadata.length - 4)] = alphabet.charAt(flip % alphabet.length());
        }
        try {
            DoneOffsets decoded = DoneOffsetsCodec.decode(new String(metadata), 500L, EPOCH_7);
            assertThat(decoded.offsets()).isSorted();
            assertThat(decoded.epochs()).hasSameSizeAs(decoded.offsets());
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }

    @Example
    void metadataOfAnotherOffsetIsRefused() {
        String metadata = DoneOffsetsCodec.encode(100, 7, new long[] {102, 103}, new int[] {7, 7});
        assertThatThrownBy(() -> DoneOffsetsCodec.decode(metadata, 150, EPOCH_7))
                .hasMessageContaining("written for offset 100, the group is at 150");
    }

    @Example
    void metadataWhoseCommitHasNoOrAnotherEpochIsRefused() {
        // MirrorMaker 2 translates the offset and commits it without a leader epoch; a copy into
        // another cluster where the offsets happen to line up must not make it skip records.
        String metadata = DoneOffsetsCodec.encode(100, 7, new long[] {102, 103}, new int[] {7, 7});
        assertThatThrownBy(() -> DoneOffsetsCodec.decode(metadata, 100, Optional.empty()))
                .hasMessageContaining("leader epoch 7, the committed offset has none");
        assertThatThrownBy(() -> DoneOffsetsCodec.decode(metadata, 100, Optional.of(3)))
                .hasMessageContaining("leader epoch 7, the committed offset has 3");
    }

    @Example
    void withoutKnownEpochsNothingIsRecorded() {
        assertThat(DoneOffsetsCodec.encode(100, -1, new long[] {102}, new int[] {7})).isEmpty();
        assertThat(DoneOffsetsCodec.encode(100, 7, new long[] {102}, new int[] {-1})).isEmpty();
    }

    @Example
    void versionOneMetadataIsNotTrusted() {
        assertThatThrownBy(() -> DoneOffsetsCodec.decode("kg1rAAEB", 0, EPOCH_7)).hasMessageContaining("not kgroups");
    }

    @Example
    void nothingDoneAboveIsTheEmptyString() {
        assertThat(DoneOffsetsCodec.encode(100, 7, new long[0], new int[0])).isEmpty();
        assertThat(DoneOffsetsCodec.decode("", 100, EPOCH_7).size()).isZero();
    }
}
