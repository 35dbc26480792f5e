package io.kgroups.monitor;

/**
 * CRC-32 (the gzip one, as {@link java.util.zip.CRC32}) continued from a value over more bytes:
 * the /metrics page's checksum, computed once per cycle, carried on over each request's few
 * per-request lines without reading the page again. {@code CRC32} cannot start from a value.
 */
final class Crc32Continued {
    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32Continued() {
    }

    /** The CRC-32 of the bytes whose CRC-32 is {@code crc}, followed by {@code more}. */
    static long update(long crc, byte[] more) {
        int c = ~(int) crc;
        for (byte b : more) {
            c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
        }
        return ~c & 0xffffffffL;
    }
}
