package io.berth.events;

/**
 * One journal entry: the event with the journal's metadata.
 *
 * @param seq       the journal sequence, gapless from 1; a reader resumes exactly after any value
 * @param timeNanos wall-clock time of the append in nanoseconds since the epoch, strictly increasing
 * @param actorId   the id of the object the event is about (duplicated from the event so readers can
 *                  filter without decoding it)
 * @param event     the event
 */
public record EventEnvelope(long seq, long timeNanos, String actorId, Event event) {}
