package io.berth.daemon;

/** berthd's entry point: parses the flags, wires the parts, and serves until stopped. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("berthd: not wired yet");
    }
}
