package io.berth.daemon.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Facts about the host that {@code docker info} and {@code docker version} show, read once. */
public record HostInfo(String hostname, String kernelVersion, String operatingSystem, String osVersion, int ncpu,
                       long memTotal, String cgroupVersion, String runcVersion, String conmonVersion) {

    /** Reads the facts from /proc, /etc and the runtime binaries. */
    public static HostInfo read(Path runc, Path conmon) {
        String os = "Linux";
        String osVersion = "";
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    os = unquote(line.substring("PRETTY_NAME=".length()));
                } else if (line.startsWith("VERSION_ID=")) {
                    osVersion = unquote(line.substring("VERSION_ID=".length()));
                }
            }
        } catch (IOException ignored) {
            // Not every host has it; the defaults are honest.
        }
        long mem = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    mem = Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // Reported as 0.
        }
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        return new HostInfo(read("/proc/sys/kernel/hostname"), read("/proc/sys/kernel/osrelease"), os, osVersion,
                Runtime.getRuntime().availableProcessors(), mem, v2 ? "2" : "1",
                firstWord(version(runc.toString(), "--version"), 2), firstWord(version(conmon.toString(), "--version"), 2));
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static String unquote(String s) {
        return s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
    }

    private static String version(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            int nl = out.indexOf('\n');
            return nl < 0 ? out.trim() : out.substring(0, nl).trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** "runc version 1.1.5" -> "1.1.5". */
    private static String firstWord(String line, int index) {
        String[] words = line.split("\\s+");
        return words.length > index ? words[index] : line;
    }
}
