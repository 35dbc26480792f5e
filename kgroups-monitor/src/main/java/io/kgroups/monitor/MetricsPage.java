package io.kgroups.monitor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot's /metrics page, rendered once per cycle (on the sampler thread, see
 * {@link LagMonitor#addCycleListener}) and served from there: ten scrapers cost what one does,
 * and a scrape renders nothing. Kept gzip-compressed (a tenth of the text's size): a scraper that
 * takes gzip, as Prometheus does, gets the bytes as they are; any other gets them inflated as they
 * are sent. Only the few series that change between cycles (webhook and login counters) are
 * written per request, as a gzip member of their own after the page's (a gzip stream may hold
 * several, RFC 1952).
 */
final class MetricsPage {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPage.class);
    /** Above this many group-partitions, partition-level series are more than most Prometheus servers want. */
    static final long MANY_PARTITION_SERIES = 250_000;

    /** A rendered page: its gzip bytes, how long the text is, how long rendering took. */
    record Rendered(byte[] gzip, long textBytes, long renderMillis) {
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
        CountingWriter text;
        try (GZIPOutputStream gzip = fastGzip(bytes)) {
            text = new CountingWriter(new OutputStreamWriter(gzip, StandardCharsets.UTF_8));
            PrometheusText.write(snapshots, granularity, text);
            text.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        current = new Rendered(bytes.toByteArray(), text.count, (System.nanoTime() - started) / 1_000_000);
        warnIfHuge(snapshots);
    }

    Rendered current() {
        return current;
    }

    /** The page then {@code tail} (the per-request series), gzip-compressed. */
    static byte[] gzip(String tail) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tail.length() / 4 + 64);
        try (GZIPOutputStream gzip = fastGzip(bytes)) {
            gzip.write(tail.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The page as text, inflated as it is read, then {@code tail}. */
    static InputStream text(Rendered page, String tail) {
        try {
            return new SequenceInputStream(new GZIPInputStream(new ByteArrayInputStream(page.gzip()), 64 * 1024),
                    new ByteArrayInputStream(tail.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Speed over ratio: the page is compressed every cycle, and level 1 still makes it about ten times smaller. */
    private static GZIPOutputStream fastGzip(ByteArrayOutputStream bytes) throws IOException {
        return new GZIPOutputStream(bytes, 64 * 1024) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
    }

    /** Counts the characters written (the text is ASCII but for label values: near enough its byte count). */
    private static final class CountingWriter extends Writer {
        private final Writer out;
        long count;

        CountingWriter(Writer out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            count += length;
            out.write(chars, offset, length);
        }

        @Override
        public Writer append(CharSequence chars) throws IOException {
            count += chars.length();
            out.append(chars);
            return this;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
