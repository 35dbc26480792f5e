package io.kgroups.consumer.internal;

import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Encodes the offsets done above a committed offset into the commit's metadata string, so that
 * after a restart or a rebalance the next owner skips what was already handled.
 *
 * <p>Format, version 2: {@code "kg2" + kind + base64url(payload)}, the payload being varints:
 * {@code base} (the committed offset, never done itself), {@code baseEpoch} (the leader epoch
 * the commit carries), the epoch segments ({@code n}, then per segment the distance of its first
 * done offset from the previous segment's, or from base, and its leader epoch: every done offset
 * from a segment's start on has its epoch), then the done offsets: kind {@code b}, a bitset of
 * {@code count} bits (bit i: offset base+1+i is done); kind {@code r}, {@code count} run lengths
 * from base+1, alternating done and not done, starting with done (possibly empty). The encoder
 * writes whichever is shorter, and works out both lengths before it builds anything.
 *
 * <p>Trust: a done offset is passed over only if the record fetched there has the leader epoch
 * recorded for it, and the metadata is read only when the commit it came with carries the same
 * offset and leader epoch as the payload. An offset and its leader epoch name one record for good
 * (a leader appends each offset once per epoch): after a truncation the rewritten records have a
 * newer epoch and are handled; a committed offset translated by MirrorMaker 2 or written by a tool
 * has no epoch, so its copied metadata is not trusted.
 */
public final class DoneOffsetsCodec {
    static final String PREFIX = "kg2";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /**
     * Done offsets we are willing to decode: a guard against hostile strings (a few bytes of runs
     * can claim billions). Gaps between them may be any size (a compacted topic has large ones).
     */
    static final int MAX_DONE = 1 << 21;

    private DoneOffsetsCodec() {
    }

    /** Offsets done above a committed offset, sorted, each with the leader epoch of its record. */
    public record DoneOffsets(long[] offsets, int[] epochs) {
        public static final DoneOffsets NONE = new DoneOffsets(new long[0], new int[0]);

        public int size() {
            return offsets.length;
        }
    }

    /**
     * The metadata for committed offset {@code base} with leader epoch {@code baseEpoch}, and the
     * sorted offsets {@code done} (all above base) with their epochs; empty when there is nothing
     * to record, or when an epoch is unknown (-1): without it the next owner could not check.
     */
    public static String encode(long base, int baseEpoch, long[] done, int[] epochs) {
        int bytes = payloadLength(base, baseEpoch, done, epochs);
        if (bytes <= 0) {
            return "";
        }
        boolean bits = bitsetDataLength(base, done) <= runsDataLength(base, done);
        Writer out = new Writer(bytes);
        writeHeader(out, base, baseEpoch, done, epochs);
        if (bits) {
            writeBitset(out, base, done);
        } else {
            writeRuns(out, base, done);
        }
        return PREFIX + (bits ? 'b' : 'r') + ENCODER.encodeToString(out.bytes);
    }

    /** The length {@link #encode} would produce, computed without building it. */
    public static int encodedLength(long base, int baseEpoch, long[] done, int[] epochs) {
        int bytes = payloadLength(base, baseEpoch, done, epochs);
        return bytes <= 0 ? 0 : PREFIX.length() + 1 + (int) ((bytes * 4L + 2) / 3);
    }

    /** Whether {@code metadata} looks like ours (so anything else is foreign, not corrupt). */
    public static boolean isOurs(String metadata) {
        return metadata != null && metadata.startsWith(PREFIX);
    }

    /**
     * The done offsets recorded for the committed offset {@code committed} with leader epoch
     * {@code committedEpoch}; none for an empty string. Throws IllegalArgumentException, with the
     * reason, for a string that is not a valid version-2 encoding, or that was written for another
     * committed offset or epoch (someone reset or translated the offset since).
     */
    public static DoneOffsets decode(String metadata, long committed, Optional<Integer> committedEpoch) {
        if (metadata == null || metadata.isEmpty()) {
            return DoneOffsets.NONE;
        }
        if (!isOurs(metadata) || metadata.length() < PREFIX.length() + 1) {
            throw new IllegalArgumentException("not kgroups offset metadata");
        }
        char kind = metadata.charAt(PREFIX.length());
        byte[] bytes;
        try {
            bytes = DECODER.decode(metadata.substring(PREFIX.length() + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in offset metadata");
        }
        Reader in = new Reader(bytes);
        long base = in.varlong();
        int baseEpoch = in.varint();
        if (base != committed) {
            throw new IllegalArgumentException("offset metadata was written for offset " + base + ", the group is at "
                    + committed);
        }
        if (committedEpoch.isEmpty() || committedEpoch.get() != baseEpoch) {
            throw new IllegalArgumentException("offset metadata was written with leader epoch " + baseEpoch
                    + ", the committed offset has " + committedEpoch.map(String::valueOf).orElse("none")
                    + " (translated or written by another tool)");
        }
        int segments = in.varint();
        if (segments < 1 || segments > MAX_DONE) {
            throw new IllegalArgumentException("bad epoch segment count in offset metadata");
        }
        long[] segmentStarts = new long[Math.min(segments, 64)];
        int[] segmentEpochs = new int[segmentStarts.length];
        long previous = base;
        for (int i = 0; i < segments; i++) {
            long start = addExact(previous, in.varlong());
            if (i > 0 && start <= previous) {
                throw new IllegalArgumentException("epoch segments out of order in offset metadata");
            }
            if (i == segmentStarts.length) {
                segmentStarts = Arrays.copyOf(segmentStarts, i * 2);
                segmentEpochs = Arrays.copyOf(segmentEpochs, i * 2);
            }
            segmentStarts[i] = start;
            segmentEpochs[i] = in.varint();
            previous = start;
        }
        long[] done = switch (kind) {
            case 'b' -> readBitset(in, base);
            case 'r' -> readRuns(in, base);
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "' of offset metadata");
        };
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("trailing bytes in offset metadata");
        }
        if (done.length == 0 || done[0] != segmentStarts[0]) {
            throw new IllegalArgumentException("epoch segments do not match the done offsets in offset metadata");
        }
        int[] epochs = new int[done.length];
        int segment = 0;
        for (int i = 0; i < done.length; i++) {
            while (segment + 1 < segments && segmentStarts[segment + 1] <= done[i]) {
                segment++;
            }
            epochs[i] = segmentEpochs[segment];
        }
        return new DoneOffsets(done, epochs);
    }

    // ---- lengths, before anything is built ----

    /** Bytes of the payload, or 0 when nothing can be recorded. */
    private static int payloadLength(long base, int baseEpoch, long[] done, int[] epochs) {
        if (done.length == 0 || baseEpoch < 0) {
            return 0;
        }
        long header = varlen(base) + varlen(baseEpoch);
        int segments = 0;
        long segmentBytes = 0;
        long previousStart = base;
        for (int i = 0; i < done.length; i++) {
            if (epochs[i] < 0) {
                return 0;
            }
            if (i == 0 || epochs[i] != epochs[i - 1]) {
                segments++;
                segmentBytes += varlen(done[i] - previousStart) + varlen(epochs[i]);
                previousStart = done[i];
            }
        }
        long total = header + varlen(segments) + segmentBytes + Math.min(bitsetDataLength(base, done), runsDataLength(base, done));
        return total > Integer.MAX_VALUE / 2 ? 0 : (int) total;
    }

    private static long bitsetDataLength(long base, long[] done) {
        long span = done[done.length - 1] - base;
        return varlen(span) + (span + 7) / 8;
    }

    private static long runsDataLength(long base, long[] done) {
        long[] bytesAndRuns = new long[2];
        forEachRun(base, done, length -> {
            bytesAndRuns[0] += varlen(length);
            bytesAndRuns[1]++;
        });
        return varlen(bytesAndRuns[1]) + bytesAndRuns[0];
    }

    /** Told each run length of a done set, from base+1: done, not done, done ..., starting with done (possibly 0). */
    private interface RunVisitor {
        void run(long length);
    }

    private static void forEachRun(long base, long[] done, RunVisitor visitor) {
        long next = base + 1;
        int i = 0;
        while (i < done.length) {
            long doneRun = 0;
            while (i < done.length && done[i] == next + doneRun) {
                doneRun++;
                i++;
            }
            visitor.run(doneRun);
            next += doneRun;
            if (i < done.length) {
                visitor.run(done[i] - next);
                next = done[i];
            }
        }
    }

    // ---- writing ----

    private static void writeHeader(Writer out, long base, int baseEpoch, long[] done, int[] epochs) {
        out.varlong(base);
        out.varlong(baseEpoch);
        int segments = 0;
        for (int i = 0; i < done.length; i++) {
            if (i == 0 || epochs[i] != epochs[i - 1]) {
                segments++;
            }
        }
        out.varlong(segments);
        long previousStart = base;
        for (int i = 0; i < done.length; i++) {
            if (i == 0 || epochs[i] != epochs[i - 1]) {
                out.varlong(done[i] - previousStart);
                out.varlong(epochs[i]);
                previousStart = done[i];
            }
        }
    }

    private static void writeBitset(Writer out, long base, long[] done) {
        long span = done[done.length - 1] - base;
        out.varlong(span);
        int start = out.position;
        for (long offset : done) {
            long bit = offset - base - 1;
            out.bytes[start + (int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
        }
        out.position = start + (int) ((span + 7) / 8);
    }

    private static void writeRuns(Writer out, long base, long[] done) {
        long[] runs = new long[1];
        forEachRun(base, done, length -> runs[0]++);
        out.varlong(runs[0]);
        forEachRun(base, done, out::varlong);
    }

    // ---- reading ----

    private static long[] readBitset(Reader in, long base) {
        long span = in.varlong();
        if (span < 1 || (span + 7) / 8 != in.remaining()) {
            throw new IllegalArgumentException("bad bitset length in offset metadata");
        }
        addExact(base, span);
        long[] done = new long[16];
        int n = 0;
        for (long bit = 0; bit < span; bit++) {
            if ((in.bytes[in.position + (int) (bit >>> 3)] & (1 << (bit & 7))) != 0) {
                if (n == MAX_DONE) {
                    throw new IllegalArgumentException("more than " + MAX_DONE + " done offsets in offset metadata");
                }
                if (n == done.length) {
                    done = Arrays.copyOf(done, n * 2);
                }
                done[n++] = base + 1 + bit;
            }
        }
        in.position += (int) ((span + 7) / 8);
        return Arrays.copyOf(done, n);
    }

    private static long[] readRuns(Reader in, long base) {
        long runs = in.varlong();
        if (runs < 1 || runs > in.remaining()) {
            throw new IllegalArgumentException("bad run count in offset metadata");
        }
        long[] done = new long[16];
        int n = 0;
        long next = base + 1;
        for (long run = 0; run < runs; run++) {
            long length = in.varlong();
            if (run % 2 == 0) {
                if (length > MAX_DONE - n) {
                    throw new IllegalArgumentException("more than " + MAX_DONE + " done offsets in offset metadata");
                }
                if (n + length > done.length) {
                    done = Arrays.copyOf(done, Math.max(done.length * 2, n + (int) length));
                }
                for (long i = 0; i < length; i++) {
                    done[n++] = next + i;
                }
            }
            next = addExact(next, length);
        }
        return Arrays.copyOf(done, n);
    }

    private static long addExact(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("offsets overflow in offset metadata");
        }
    }

    private static int varlen(long value) {
        int bytes = 1;
        long v = value;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** Varints into a byte array of the length worked out in advance. */
    private static final class Writer {
        final byte[] bytes;
        int position;

        Writer(int length) {
            bytes = new byte[length];
        }

        void varlong(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                bytes[position++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[position++] = (byte) v;
        }
    }

    /** Reads varints, failing with IllegalArgumentException at the end of the bytes. */
    private static final class Reader {
        final byte[] bytes;
        int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long varlong() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= bytes.length) {
                    throw new IllegalArgumentException("offset metadata ends early");
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (value < 0) {
                        throw new IllegalArgumentException("negative number in offset metadata");
                    }
                    return value;
                }
            }
            throw new IllegalArgumentException("bad varint in offset metadata");
        }

        int varint() {
            long value = varlong();
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("bad count in offset metadata");
            }
            return (int) value;
        }

        int remaining() {
            return bytes.length - position;
        }
    }
}
