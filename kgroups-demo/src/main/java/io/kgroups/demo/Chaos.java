package io.kgroups.demo;

import io.kgroups.orders.LoadVerification;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Proof under crashes: a 3-broker cluster (replication factor 3, min.insync.replicas 2, acks=all),
 * three loader processes, a producer with invalid events mixed in; loaders killed with SIGKILL and
 * restarted and a broker stopped and restarted, as the {@link ChaosSchedule} of the seed says. At
 * the end every acknowledged event is checked against the table and the dead-letter topic.
 */
public final class Chaos {
    public static final int BROKERS = 3;
    public static final int PARTITIONS = 6;
    public static final int LOADERS = 3;
    private static final int ORDERS = 5_000;
    private static final Duration FIRST_LOAD = Duration.ofSeconds(90);
    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final Duration CATCH_UP = Duration.ofSeconds(180);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    private Chaos() {
    }

    /** A kill whose recovery is still being measured. */
    private record Killed(String loader, Duration at, Future<Duration> recovery) { }

    public static ChaosResult run(ChaosSettings settings, ChaosListener listener, StopRequest stop)
            throws InterruptedException, SQLException {
        ChaosSchedule schedule = ChaosSchedule.plan(settings.seed(), settings.duration(), settings.killEvery(), LOADERS, BROKERS);
        List<Killed> kills = new ArrayList<>();
        List<ChaosResult.BrokerStop> brokerStops = new ArrayList<>();
        int loaderFailures = 0;
        ExecutorService measuring = Executors.newSingleThreadExecutor(r -> new Thread(r, "chaos-recovery"));
        try (OrdersRun run = OrdersRun.start(new OrdersRun.Settings(BROKERS, PARTITIONS, settings.protocol(), LOADERS,
                settings.rate(), settings.badRatio(), ORDERS, settings.dir(), settings.launch(), false))) {
            run.cancelWhen(stop::isRequested);
            long begin = System.currentTimeMillis();
            run.startProducing();
            if (run.awaitRecovery(begin, FIRST_LOAD) == null && !stop.isRequested()) {
                throw new RunFailedException("the loaders did not load every partition within " + FIRST_LOAD.toSeconds()
                        + " s: " + run.unexpectedExits(), null);
            }
            long start = System.currentTimeMillis();
            long end = start + settings.duration().toMillis();
            int nextKill = 0;
            LoaderProcess down = null;
            long restartAt = 0;
            Duration brokerStoppedAt = null;
            Duration nextProgress = Duration.ZERO;
            while (System.currentTimeMillis() < end && !stop.isRequested()) {
                Duration now = Duration.ofMillis(System.currentTimeMillis() - start);
                if (down != null && System.currentTimeMillis() >= restartAt) {
                    down.start();
                    down = null;
                }
                for (LoaderProcess loader : run.loaders()) {
                    if (loader != down && !loader.isAlive()) {
                        loaderFailures++;
                        listener.loaderEndedByItself(loader.name(), loader.exitCode(), loader.tail());
                        loader.start();
                    }
                }
                // A kill waits for the previous victim to be back: late, but the same victims in the same order.
                if (down == null && nextKill < schedule.kills().size()
                        && now.compareTo(schedule.kills().get(nextKill).at()) >= 0) {
                    down = run.loaders().get(schedule.kills().get(nextKill++).loader());
                    long at = down.kill();
                    kills.add(new Killed(down.name(), Duration.ofMillis(at - start),
                            measuring.submit(() -> run.awaitRecovery(at, RECOVERY))));
                    restartAt = at + settings.restartAfter().toMillis();
                }
                if (brokerStoppedAt == null && brokerStops.isEmpty() && now.compareTo(schedule.brokerStopAt()) >= 0) {
                    listener.brokerStopping(now, schedule.broker());
                    run.kafka().stopBroker(schedule.broker());
                    brokerStoppedAt = now;
                } else if (brokerStoppedAt != null && now.compareTo(schedule.brokerStartAt()) >= 0) {
                    listener.brokerStarting(now, schedule.broker());
                    run.kafka().startBroker(schedule.broker());
                    brokerStops.add(new ChaosResult.BrokerStop(schedule.broker(), brokerStoppedAt, now));
                    brokerStoppedAt = null;
                }
                if (now.compareTo(nextProgress) >= 0) {
                    listener.progress(now, run.produced(), kills.size(),
                            run.loaders().stream().filter(LoaderProcess::isAlive).count(), run.loaders().size());
                    nextProgress = nextProgress.plus(PROGRESS_EVERY);
                }
                stop.await(Duration.ofMillis(100));
            }
            if (down != null) {
                down.start();
            }
            if (brokerStoppedAt != null) {
                Duration now = Duration.ofMillis(System.currentTimeMillis() - start);
                run.kafka().startBroker(schedule.broker());
                brokerStops.add(new ChaosResult.BrokerStop(schedule.broker(), brokerStoppedAt, now));
            }
            List<ChaosResult.Kill> measured = new ArrayList<>();
            for (Killed kill : kills) {
                measured.add(new ChaosResult.Kill(kill.loader(), kill.at(), stop.isRequested() ? null : recovery(kill)));
            }
            if (stop.isRequested()) {
                return new ChaosResult(settings.seed(), measured, brokerStops, loaderFailures, false, null);
            }
            run.stopProducing();
            listener.producerStopped(run.produced());
            boolean caughtUp = run.awaitCaughtUp(CATCH_UP);
            if (stop.isRequested()) {
                return new ChaosResult(settings.seed(), measured, brokerStops, loaderFailures, caughtUp, null);
            }
            LoadVerification check = run.verify();
            return new ChaosResult(settings.seed(), measured, brokerStops, loaderFailures, caughtUp, check);
        } finally {
            measuring.shutdownNow();
            measuring.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Duration recovery(Killed kill) throws InterruptedException {
        try {
            return kill.recovery().get();
        } catch (ExecutionException e) {
            throw new RunFailedException("cannot measure the recovery after killing " + kill.loader() + ": "
                    + RunFailedException.rootMessage(e), e);
        }
    }
}
