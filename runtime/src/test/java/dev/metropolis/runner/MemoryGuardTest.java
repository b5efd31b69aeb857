package dev.metropolis.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which call the memory guard stops after a collection, on made-up allocation counters. */
@Timeout(30)
class MemoryGuardTest {
    private static final long MIB = 1 << 20;
    private static final long HEAP = 1000 * MIB;
    private final Map<Long, Long> allocated = new ConcurrentHashMap<>();
    private final List<String> cancelled = new ArrayList<>();
    private final List<Runnable> stopping = new ArrayList<>();
    private final MemoryGuard guard = new MemoryGuard(new MemoryGuard.Allocations() {
        @Override
        public long current() {
            return allocated.getOrDefault(Thread.currentThread().threadId(), 0L);
        }

        @Override
        public long of(long threadId) {
            return allocated.getOrDefault(threadId, -1L);
        }
    }, HEAP, stopping::add);

    /** A call of {@code task}, tracked from a thread of its own that had allocated {@code before}; returns the thread id. */
    private long start(GuardedCall call, long before) throws InterruptedException {
        long[] id = new long[1];
        Thread thread = Thread.ofPlatform().unstarted(() -> {
            id[0] = Thread.currentThread().threadId();
            allocated.put(id[0], before);
            guard.track(call);
        });
        thread.start();
        thread.join();
        return id[0];
    }

    private GuardedCall call(String task) {
        return new GuardedCall(task, new GuardedCall.Guest() {
            @Override
            public void interrupt(Duration grace) {}

            @Override
            public void cancel() {
                cancelled.add(task);
            }
        }, Duration.ofMillis(100));
    }

    @Test
    void aFullHeapStopsTheCallThatAllocatedTheMostSinceItStarted() throws Exception {
        GuardedCall echo = call("echo"), bomb = call("bomb");
        long echoThread = start(echo, 5_000 * MIB); // a long-lived thread: much allocated before this call
        long bombThread = start(bomb, 10 * MIB);
        allocated.put(echoThread, 5_050 * MIB);
        allocated.put(bombThread, 900 * MIB);
        assertThat(guard.afterCollection(900 * MIB)).isSameAs(bomb);
        stopping.forEach(Runnable::run);
        assertThat(cancelled).containsExactly("bomb");
        bomb.finish();
        assertThat(bomb.exhausted()).isEqualTo(890 * MIB);
        assertThat(bomb.cancelled()).isTrue();
        assertThat(guard.stopped()).isEqualTo(1);
        assertThat(guard.watching()).isEqualTo(1); // the echo call is still watched
    }

    @Test
    void aHeapBelowTheMarkStopsNothing() throws Exception {
        GuardedCall bomb = call("bomb");
        long thread = start(bomb, 0);
        allocated.put(thread, 900 * MIB);
        assertThat(guard.afterCollection((long) (MemoryGuard.FULL * HEAP) - 1)).isNull();
        assertThat(stopping).isEmpty();
    }

    @Test
    void noCallIsStoppedWhenNoneAllocatedATenthOfTheHeap() throws Exception {
        GuardedCall a = call("a"), b = call("b");
        allocated.put(start(a, 0), 90 * MIB);
        allocated.put(start(b, 0), 60 * MIB);
        assertThat(guard.afterCollection(990 * MIB)).isNull();
        assertThat(stopping).isEmpty();
    }

    @Test
    void aCallThatReturnedIsNotStoppedAndOneThatFinishedFirstIsLeftAlone() throws Exception {
        GuardedCall done = call("done"), racing = call("racing");
        allocated.put(start(done, 0), 900 * MIB);
        guard.untrack(done);
        assertThat(guard.afterCollection(990 * MIB)).isNull();
        allocated.put(start(racing, 0), 900 * MIB);
        assertThat(guard.afterCollection(990 * MIB)).isSameAs(racing);
        racing.finish(); // it returned before the stopper ran: nothing is cancelled
        stopping.forEach(Runnable::run);
        assertThat(cancelled).isEmpty();
        assertThat(racing.exhausted()).isZero();
    }

    @Test
    void anOffGuardWatchesNothing() {
        MemoryGuard off = MemoryGuard.off();
        GuardedCall call = call("x");
        off.track(call);
        assertThat(off.watching()).isZero();
        assertThat(off.afterCollection(Long.MAX_VALUE)).isNull();
    }
}
