package io.berth.events;

import java.util.List;
import java.util.Map;

/** Sample events and specs for tests. */
public final class Fixtures {

    private Fixtures() {}

    /** A 64-hex id whose first eight digits are {@code n}, so short prefixes are unique. */
    public static String id(int n) {
        return String.format("%08x", n) + "a".repeat(56);
    }

    public static ContainerSpec spec(String image) {
        return new ContainerSpec(image, "sha256:" + id(7), List.of(), List.of("sleep", "600"),
                List.of("A=1", "PATH=/bin"), "/tmp", "0", "box", "", false, false, false,
                Map.of("app", "web"), "SIGTERM", -1,
                new ContainerSpec.Resources(64L << 20, -1, 0, false, 500_000_000L, 0, 0, 0, "", 50,
                        List.of(new ContainerSpec.Ulimit("nofile", 1024, 1024))),
                new ContainerSpec.RestartPolicy("on-failure", 3), false, "none", List.of());
    }

    /** One instance of every event type, with distinct non-default values. */
    public static List<Event> oneOfEach() {
        String c = id(1);
        String x = id(2);
        String img = "sha256:" + id(3);
        ImageEvent.ImageInfo info = new ImageEvent.ImageInfo(img, 1234, 1_700_000_000_000_000_000L,
                List.of("sha256:" + id(4)));
        return List.of(
                new ContainerEvent.Created(c, "web", spec("busybox")),
                new ContainerEvent.Started(c, 4242, 1_700_000_000_000_000_500L),
                new ContainerEvent.Paused(c),
                new ContainerEvent.Unpaused(c),
                new ContainerEvent.StopRequested(c, 15, 10, false),
                new ContainerEvent.Killed(c, 9),
                new ContainerEvent.OomKilled(c),
                new ContainerEvent.Exited(c, 137, 1_700_000_000_123_456_789L, 4242),
                new ContainerEvent.Restarting(c, 2, 400, "on-failure"),
                new ContainerEvent.RestartCancelled(c, "stopped by the user"),
                new ContainerEvent.Renamed(c, "web", "web2"),
                new ContainerEvent.Updated(c, ContainerSpec.Resources.NONE, new ContainerSpec.RestartPolicy("always", 0)),
                new ContainerEvent.Removing(c),
                new ContainerEvent.Dead(c, "device busy"),
                new ContainerEvent.Removed(c),
                new ContainerEvent.Attached(c),
                new ContainerEvent.Resized(c, 24, 80),
                new ContainerEvent.Stopped(c),
                new ContainerEvent.Restarted(c),
                new ExecEvent.Created(x, c, List.of("sh", "-c", "echo $A"), List.of("B=2"), "0", "/", true, true, false),
                new ExecEvent.Started(x, c, 777),
                new ExecEvent.Exited(x, c, 3),
                new ImageEvent.Imported(img, info, "docker.io/library/busybox:latest"),
                new ImageEvent.Committed(img, info, "docker.io/library/committed:1", c),
                new ImageEvent.Loaded(img, info, List.of("bb:1", "bb:2")),
                new ImageEvent.Pulled(img, info, "localhost:5000/bb:1", "localhost:5000/bb@sha256:" + id(5)),
                new ImageEvent.Pushed(img, "localhost:5000/bb:1", "localhost:5000/bb@sha256:" + id(5)),
                new ImageEvent.Tagged(img, "bb:3"),
                new ImageEvent.Untagged(img, "bb:3"),
                new ImageEvent.Saved(img),
                new ImageEvent.Removed(img),
                new DaemonEvent.Started("daemon-1", "0.1.0", 99),
                new DaemonEvent.Stopping("daemon-1", "SIGTERM"),
                new DaemonEvent.Reloaded("daemon-1", "log-level"),
                new PolicyEvent.Decided("backoff", "abc123", c, "onExit", "exitCode=1", "restart", 500, 0),
                new PolicyEvent.Rejected("broken", "/etc/berth/policies/broken.js", 3, 14, "SyntaxError"),
                new PolicyEvent.Failed("slow", "def456", c, "onExit", "timed out after 50 ms"),
                new NetworkEvent.Created(id(6), "appnet", "bridge", "berth-1a2b3c4d", "172.18.0.0/16", "172.18.0.1",
                        Map.of("com.docker.compose.project", "app"), false),
                new NetworkEvent.Connected(id(6), c, List.of("web", "www")),
                new NetworkEvent.Attached(id(6), c, endpoint()),
                new NetworkEvent.Detached(id(6), c),
                new NetworkEvent.Disconnected(id(6), c),
                new NetworkEvent.Removed(id(6)),
                new VolumeEvent.Created("data", "local", "/var/lib/berth/volumes/data/_data", Map.of("k", "v"), false),
                new VolumeEvent.Mounted("data", c, "/data", true),
                new VolumeEvent.Unmounted("data", c),
                new VolumeEvent.Removed("data"));
    }

    /** A sample endpoint with one published port. */
    public static NetworkEvent.Endpoint endpoint() {
        return new NetworkEvent.Endpoint("eth0", "172.18.0.2", 16, "172.18.0.1", "02:42:ac:12:00:02",
                List.of(new NetworkEvent.PortMapping("tcp", 80, "0.0.0.0", 8080)), "/run/berth/netns/" + id(1));
    }
}
