package io.kgroups.monitor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot's /metrics page, rendered once per cycle (on the sampler thread, see
 * {@link LagMonitor#addCycleListener}) and served from there: ten scrapers cost what one does,
 * and a scrape renders nothing. Kept deflate-compressed (a tenth of the text's size): a scraper
 * that takes gzip, as Prometheus does, gets those bytes as they are; any other gets them inflated
 * as they are sent. Only the few series that change between cycles (webhook and login counters)
 * are written per request, after the page, in the same gzip member: the page is kept as deflate
 * blocks ended by a sync flush (not a final block) with its CRC-32 and length, so a request
 * appends the tail's own blocks, the final one, and the trailer of the whole. One member, not
 * two: RFC 1952 allows several, but readers that stop after the first (curl --compressed) would
 * lose the tail's series without a word.
 */
final class MetricsPage {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPage.class);
    /** Above this many group-partitions, partition-level series are more than most Prometheus servers want. */
    static final long MANY_PARTITION_SERIES = 250_000;
    /** A gzip member's header: deflate, no name, no time, unknown OS (RFC 1952 2.3). */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /**
     * An empty final stored block, after a sync flush (byte-aligned): ends the page's deflate data
     * for inflating it alone; and a byte past the end, which an inflater without a wrapper may ask for.
     */
    private static final byte[] FINAL_BLOCK_AND_A_BYTE = {1, 0, 0, (byte) 0xff, (byte) 0xff, 0};

    /**
     * A rendered page.
     *
     * @param deflate the page's raw deflate blocks, ended by a sync flush (no final block)
     * @param crc the CRC-32 of its text, to be continued over a tail
     * @param textBytes the length of its text in bytes
     */
    record Rendered(byte[] deflate, long crc, long textBytes, long renderMillis) {
        /** What it costs as sent gzip-compressed, without a tail. */
        long gzipBytes() {
            return GZIP_HEADER.length + deflate.length + 2 + 8L;
        }
    }

    private final PrometheusText.Granularity granularity;
    private volatile Rendered current;
    private boolean warned; // guarded by this

    MetricsPage(PrometheusText.Granularity granularity, List<ClusterSnapshot> first) {
        this.granularity = granularity;
        update(first);
    }

    PrometheusText.Granularity granularity() {
        return granularity;
    }

    /**
     * Renders the clusters' snapshots; what scrapers get from now on. Synchronized: the monitors
     * of several clusters end their cycles on threads of their own.
     */
    synchronized void update(List<ClusterSnapshot> snapshots) {
        long started = System.nanoTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        // Speed over ratio: the page is compressed every cycle, and level 1 still makes it about ten times smaller.
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        CRC32 crc = new CRC32();
        long length;
        try {
            DeflaterOutputStream deflate = new DeflaterOutputStream(bytes, deflater, 64 * 1024, true);
            CheckedOutputStream checked = new CheckedOutputStream(deflate, crc);
            CountingStream counted = new CountingStream(checked);
            Writer text = new OutputStreamWriter(counted, StandardCharsets.UTF_8);
            PrometheusText.write(snapshots, granularity, text);
            text.flush(); // a sync flush: the blocks so far end on a byte, and the stream is not finished
            length = counted.count;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        } finally {
            deflater.end();
        }
        current = new Rendered(bytes.toByteArray(), crc.getValue(), length, (System.nanoTime() - started) / 1_000_000);
        warnIfHuge(snapshots);
    }

    Rendered current() {
        return current;
    }

    /** The page then {@code tail} (the per-request series): one gzip member. */
    static InputStream gzip(Rendered page, String tail) {
        byte[] text = tail.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream end = new ByteArrayOutputStream(text.length / 4 + 64);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(end, deflater)) {
            deflate.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        long crc = Crc32Continued.update(page.crc(), text);
        long length = page.textBytes() + text.length;
        ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc).putInt((int) length); // ISIZE: the length modulo 2^32
        end.writeBytes(trailer.array());
        return new SequenceInputStream(java.util.Collections.enumeration(List.of(new ByteArrayInputStream(GZIP_HEADER),
                new ByteArrayInputStream(page.deflate()), new ByteArrayInputStream(end.toByteArray()))));
    }

    /** The page as text, inflated as it is read, then {@code tail}. */
    static InputStream text(Rendered page, String tail) {
        InputStream blocks = new SequenceInputStream(new ByteArrayInputStream(page.deflate()),
                new ByteArrayInputStream(FINAL_BLOCK_AND_A_BYTE));
        return new SequenceInputStream(new InflaterInputStream(blocks, new Inflater(true), 64 * 1024),
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.UTF_8)));
    }

    /** Once: partition-level series at a size few Prometheus servers keep. */
    private void warnIfHuge(List<ClusterSnapshot> snapshots) {
        if (warned || granularity != PrometheusText.Granularity.PARTITION) {
            return;
        }
        long partitions = snapshots.stream().flatMap(c -> c.snapshot().groups().stream()).mapToLong(g -> g.partitions().size())
                .sum();
        if (partitions > MANY_PARTITION_SERIES) {
            warned = true;
            LOG.atWarn().setMessage("monitor_metrics_many_series").addKeyValue("group_partitions", partitions)
                    .addKeyValue("hint", "/metrics has about " + partitions + " series per lag metric at partition level: "
                            + "--metrics topic gives one per group and topic").log();
        }
    }

    /** Counts the bytes written: the gzip trailer's length of the text. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            count++;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int offset, int length) throws IOException {
            count += length;
            out.write(b, offset, length);
        }
    }
}
