package io.kgroups.consumer.internal;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encodes the offsets done above a committed offset into the commit's metadata string, so that
 * after a restart or a rebalance the next owner skips what was already handled.
 *
 * <p>Format, version 1: {@code "kg1" + kind + base64url(varlong base, varint count, data)}.
 * {@code base} is the committed offset (never done itself). Kind {@code b}: a bitset, bit i set
 * when offset base+1+i is done, {@code count} bits. Kind {@code r}: run lengths over the offsets
 * from base+1, alternating done and not done (starting with done, possibly an empty run),
 * {@code count} runs. The encoder writes whichever is shorter.
 */
public final class DoneOffsetsCodec {
    static final String PREFIX = "kg1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final long[] NONE = new long[0];
    /** Offsets we are willing to decode: a guard against hostile strings (2M offsets = 16 MiB). */
    private static final int MAX_SPAN = 1 << 21;

    private DoneOffsetsCodec() {
    }

    /** The metadata for committed offset {@code base} and sorted offsets {@code done}, all above base. */
    public static String encode(long base, long[] done) {
        if (done.length == 0) {
            return "";
        }
        byte[] bitset = bitset(base, done);
        byte[] runs = runs(base, done);
        boolean useBits = bitset.length <= runs.length;
        return PREFIX + (useBits ? 'b' : 'r') + ENCODER.encodeToString(useBits ? bitset : runs);
    }

    /** The length {@link #encode} would produce, without making the string. */
    public static int encodedLength(long base, long[] done) {
        if (done.length == 0) {
            return 0;
        }
        int bytes = Math.min(bitset(base, done).length, runs(base, done).length);
        return PREFIX.length() + 1 + (bytes * 4 + 2) / 3;
    }

    /** Whether {@code metadata} looks like ours (so anything else is foreign, not corrupt). */
    public static boolean isOurs(String metadata) {
        return metadata != null && metadata.startsWith(PREFIX);
    }

    /**
     * The done offsets recorded for committed offset {@code committed}, sorted; empty for an empty
     * string. Throws IllegalArgumentException for a string that is not a valid version-1 encoding
     * or that was written for another committed offset (someone reset the group since).
     */
    public static long[] decode(String metadata, long committed) {
        if (metadata == null || metadata.isEmpty()) {
            return NONE;
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
        if (base != committed) {
            throw new IllegalArgumentException("offset metadata was written for offset " + base + ", the group is at "
                    + committed);
        }
        int count = in.varint();
        long[] done;
        if (kind == 'b') {
            if (count < 0 || count > MAX_SPAN || (count + 7) / 8 != in.remaining()) {
                throw new IllegalArgumentException("bad bitset length in offset metadata");
            }
            done = new long[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if ((bytes[in.position + i / 8] & (1 << (i % 8))) != 0) {
                    done[n++] = base + 1 + i;
                }
            }
            done = Arrays.copyOf(done, n);
        } else if (kind == 'r') {
            if (count < 0 || count > MAX_SPAN) {
                throw new IllegalArgumentException("bad run count in offset metadata");
            }
            long[] found = new long[16];
            int n = 0;
            long next = base + 1;
            for (int run = 0; run < count; run++) {
                int length = in.varint();
                if (length < 0 || length > MAX_SPAN || (long) n + (run % 2 == 0 ? length : 0) > MAX_SPAN) {
                    throw new IllegalArgumentException("bad run length in offset metadata");
                }
                if (run % 2 == 0) {
                    for (int i = 0; i < length; i++) {
                        if (n == found.length) {
                            found = Arrays.copyOf(found, found.length * 2);
                        }
                        found[n++] = next + i;
                    }
                }
                next += length;
            }
            if (in.remaining() != 0) {
                throw new IllegalArgumentException("trailing bytes in offset metadata");
            }
            done = Arrays.copyOf(found, n);
        } else {
            throw new IllegalArgumentException("unknown kind '" + kind + "' of offset metadata");
        }
        return done;
    }

    private static byte[] bitset(long base, long[] done) {
        int span = (int) Math.min(Integer.MAX_VALUE - 8, done[done.length - 1] - base);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarlong(out, base);
        writeVarlong(out, span);
        byte[] bits = new byte[(span + 7) / 8];
        for (long offset : done) {
            int i = (int) (offset - base - 1);
            bits[i / 8] |= (byte) (1 << (i % 8));
        }
        out.writeBytes(bits);
        return out.toByteArray();
    }

    private static byte[] runs(long base, long[] done) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int count = 0;
        long next = base + 1;
        int i = 0;
        while (i < done.length) {
            int doneRun = 0;
            while (i < done.length && done[i] == next + doneRun) {
                doneRun++;
                i++;
            }
            writeVarlong(data, doneRun);
            count++;
            next += doneRun;
            if (i < done.length) {
                writeVarlong(data, done[i] - next);
                count++;
                next = done[i];
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarlong(out, base);
        writeVarlong(out, count);
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }

    private static void writeVarlong(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Reads varints, failing with IllegalArgumentException at the end of the bytes. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;

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
                    return value;
                }
            }
            throw new IllegalArgumentException("bad varint in offset metadata");
        }

        int varint() {
            long value = varlong();
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("bad count in offset metadata");
            }
            return (int) value;
        }

        int remaining() {
            return bytes.length - position;
        }
    }
}
