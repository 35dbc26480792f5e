package io.kgroups.demo;

import io.kgroups.orders.LoadVerification;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.kafka.common.KafkaException;

/**
 * The whole system at work: one broker, the {@code orders} topic, {@link #LOADERS} loader
 * processes, a producer ({@link #BAD_RATIO} of its events invalid); a third of the way in, loader-2
 * is killed with SIGKILL and started again once the others load every partition. At the end the
 * producer stops, the group catches up, and the table is checked against what Kafka acknowledged.
 *
 * <p>The monitor and its dashboard are not started here: they are how the CLI shows the run (its
 * {@code --http} and {@code --no-dashboard}), started from {@link DemoListener#started} on the run's
 * cluster, so that this module needs neither the monitor nor a web server, and neither do its tests.
 */
public final class Demo {
    public static final int PARTITIONS = 6;
    public static final int LOADERS = 3;
    public static final double BAD_RATIO = 0.02;
    /** How long the loaders may take to load every partition, at the start and after the kill. */
    public static final Duration LOAD_WITHIN = Duration.ofSeconds(60);
    /** How long the group may take to commit everything once the producer stopped. */
    public static final Duration CATCH_UP_WITHIN = Duration.ofSeconds(120);
    private static final int ORDERS = 2_000;
    /** loader-2. */
    private static final int VICTIM = 1;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private Demo() {
    }

    public static DemoResult run(DemoSettings settings, DemoListener listener, StopRequest stop)
            throws InterruptedException, SQLException {
        long begin = System.currentTimeMillis();
        try (OrdersRun run = OrdersRun.start(new OrdersRun.Settings(1, PARTITIONS, settings.protocol(), LOADERS,
                settings.rate(), BAD_RATIO, ORDERS, settings.dir(), settings.launch(), settings.secure()))) {
            run.cancelWhen(stop::isRequested);
            run.startProducing();
            try {
                listener.started(run.kafka().bootstrapServers(), run.admin());
                return scenario(run, begin, settings, listener, stop);
            } finally {
                listener.stopping();
            }
        }
    }

    private static DemoResult scenario(OrdersRun run, long begin, DemoSettings settings, DemoListener listener, StopRequest stop)
            throws InterruptedException, SQLException {
        Duration firstLoad = run.awaitRecovery(begin, LOAD_WITHIN);
        if (stop.isRequested()) {
            return new DemoResult(firstLoad, null, false, null);
        }
        if (firstLoad == null) {
            throw notLoading("the loaders did not load every partition within " + LOAD_WITHIN.toSeconds() + " s", run);
        }
        listener.allPartitionsLoading(firstLoad);
        long end = System.currentTimeMillis() + settings.duration().toMillis();
        long killAt = System.currentTimeMillis() + settings.duration().toMillis() / 3;
        DemoResult.Kill kill = null;
        long nextProgress = System.currentTimeMillis();
        while (System.currentTimeMillis() < end && !stop.isRequested()) {
            if (System.currentTimeMillis() >= nextProgress) {
                listener.progress(Duration.ofMillis(System.currentTimeMillis() - begin), run.produced(), lag(run),
                        run.loaders().stream().filter(LoaderProcess::isAlive).count(), run.loaders().size());
                nextProgress += PROGRESS_EVERY.toMillis();
            }
            if (kill == null && System.currentTimeMillis() >= killAt) {
                kill = killAndBringBack(run, begin, listener, stop);
            }
            stop.await(Duration.ofMillis(200));
        }
        if (stop.isRequested()) {
            return new DemoResult(firstLoad, kill, false, null);
        }
        run.stopProducing();
        listener.producerStopped(run.produced());
        boolean caughtUp = run.awaitCaughtUp(CATCH_UP_WITHIN);
        if (stop.isRequested()) {
            return new DemoResult(firstLoad, kill, caughtUp, null);
        }
        LoadVerification check = run.verify();
        DemoResult result = new DemoResult(firstLoad, kill, caughtUp, check);
        listener.checked(result);
        if (settings.keep()) {
            stop.await(Duration.ofDays(365));
        }
        return result;
    }

    /** SIGKILL (no commit, no leave), then waits until the others load every partition, then starts it again. */
    private static DemoResult.Kill killAndBringBack(OrdersRun run, long begin, DemoListener listener, StopRequest stop)
            throws InterruptedException, SQLException {
        LoaderProcess victim = run.loaders().get(VICTIM);
        long pid = victim.pid();
        listener.killing(victim.name(), pid);
        long killedAt = victim.kill();
        Duration recovery = run.awaitRecovery(killedAt, LOAD_WITHIN);
        DemoResult.Kill kill = new DemoResult.Kill(victim.name(), pid, Duration.ofMillis(killedAt - begin), recovery);
        if (stop.isRequested()) {
            return kill;
        }
        if (recovery == null) {
            throw notLoading("the group did not load every partition within " + LOAD_WITHIN.toSeconds() + " s of killing "
                    + victim.name(), run);
        }
        listener.recovered(victim.name(), recovery);
        victim.start();
        return kill;
    }

    /** Empty when it could not be read (the progress line says so and the run goes on). */
    private static OptionalLong lag(OrdersRun run) throws InterruptedException {
        try {
            return OptionalLong.of(run.lag());
        } catch (RunFailedException | KafkaException e) {
            return OptionalLong.empty();
        }
    }

    private static RunFailedException notLoading(String what, OrdersRun run) {
        return new RunFailedException(what + ": " + run.unexpectedExits(), null);
    }
}
