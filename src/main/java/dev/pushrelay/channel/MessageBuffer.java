package dev.pushrelay.channel;

import java.util.Arrays;

/**
 * One channel's message queue, oldest first (protocol.md §5.2), plus the id counter of the
 * channel (protocol.md §3.2).
 *
 * <p><b>Not thread-safe.</b> The owning {@link Channel} guards it with its lock; every
 * method must be called with that lock held.
 *
 * <p>Implemented as a growable ring buffer rather than an {@code ArrayDeque} so that the
 * cursor lookup can binary-search (ids in the queue are strictly increasing, see
 * {@link #nextId}) and expiry can compact out messages that are not at the head.
 *
 * <p>What the store learns about a stored message after it was published (how many got it,
 * protocol.md §5.5; bytes held for its encodings, §6.3) is kept here, slot by slot beside
 * it, so {@link Message} itself stays an immutable value that any store can hand out.
 */
public final class MessageBuffer {

    private static final int INITIAL_CAPACITY = 4;
    /** Keep a small array around; shrink only bigger ones that became mostly empty. */
    private static final int SHRINK_ABOVE = 64;

    private Message[] items = new Message[INITIAL_CAPACITY];
    /** Per slot: subscribers the message was handed to (§5.5). */
    private int[] received = new int[INITIAL_CAPACITY];
    /**
     * Per slot: the bytes the message holds, its {@link #payloadBytes} and any extra bytes
     * charged for it (its gzip form, §6.3). Kept here so that trimming the oldest message, at
     * every publish to a full buffer, reads this array instead of the cold message, its body
     * and its Content-Type string (JFR: a publish's largest cost after the socket calls).
     */
    private long[] held = new long[INITIAL_CAPACITY];
    private int head;
    private int size;
    /** Sum of {@link #payloadBytes(Message)} and the extra bytes over stored messages. */
    private long bytes;
    /**
     * A lower bound of the earliest expiry among stored messages (Long.MAX_VALUE if none
     * expire), so that the expiry check on every lookup is O(1) unless something may have
     * expired. Removing messages may leave it too low; that only costs one extra scan.
     */
    private long earliestExpiry = Long.MAX_VALUE;
    /** The id given to the last message published on this channel, stored or not; null if none yet. */
    private Cursor lastId;
    /** See {@link #forgottenThrough()}. */
    private Cursor forgottenThrough;

    /**
     * The bytes a message's payload occupies: body plus Content-Type (and event name). Header values are
     * ISO-8859-1, which Java's compact strings hold at one byte per char; anything else
     * costs two.
     */
    public static long payloadBytes(Message m) {
        String ct = m.contentType();
        String ev = m.eventName();
        return m.length() + (ct == null ? 0 : stringBytes(ct)) + (ev == null ? 0 : stringBytes(ev));
    }

    /**
     * Counts {@code extra} more bytes for {@code m} while it stays stored (a cached encoding,
     * protocol.md §6.3); they leave {@link #bytes()} with it.
     *
     * @return false if {@code m} is not stored here (then nothing is counted)
     */
    public boolean charge(Message m, long extraBytes) {
        int i = indexOf(m);
        if (i < 0) {
            return false;
        }
        held[slot(i)] += extraBytes;
        bytes += extraBytes;
        return true;
    }

    /** Whether this very message is stored here; O(log length). */
    public boolean contains(Message m) {
        return indexOf(m) >= 0;
    }

    /**
     * Counts {@code n} more recipients of stored message {@code m} (protocol.md §5.5); a
     * message no longer stored is not counted. O(log length).
     */
    public void addReceived(Message m, int n) {
        int i = indexOf(m);
        if (i >= 0) {
            received[slot(i)] += n;
        }
    }

    /** How many subscribers the oldest stored message was handed to; 0 when empty. */
    public int oldestReceived() {
        return size == 0 ? 0 : received[head];
    }

    /** What the oldest stored message holds: payload and extra bytes; 0 when empty. */
    public long oldestBytes() {
        return size == 0 ? 0 : held[head];
    }

    /** Binary search by id (ids are strictly increasing), then identity; -1 when not stored. */
    private int indexOf(Message m) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = get(mid).id().compareTo(m.id());
            if (c == 0) {
                return get(mid) == m ? mid : -1;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    private int slot(int i) {
        return (head + i) % items.length;
    }

    /** The bytes a String's characters occupy in memory (compact strings: Latin-1 = 1 byte/char). */
    public static long stringBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) return 2L * s.length();
        }
        return s.length();
    }

    /**
     * The id the next message published at {@code nowSeconds} gets. Pure: nothing changes
     * until {@link #append} is called with the message.
     *
     * <p>The module (protocol.md §3.2) gives {@code newest stored.tag + 1} when the newest
     * <em>stored</em> message has the same second, else tag 0; so once the queue is empty
     * (all expired, trimmed, deleted-when-received, or {@code push_store_messages off})
     * the tag restarts at 0 and a message can get the same id as one a client already
     * holds, which the cursor lookup then never returns (protocol.md §4.2, last edge case).
     * Deliberate improvement: we remember the last id assigned on this channel even when
     * nothing is stored and keep counting within the same second, so ids on a channel are
     * strictly increasing. While the queue is non-empty this gives exactly the module's ids.
     * If the clock steps backwards we stay in the last used second (tag + 1) instead of
     * going back in time, for the same reason.
     */
    public Cursor nextId(long nowSeconds) {
        if (lastId == null || nowSeconds > lastId.time()) {
            return new Cursor(nowSeconds, 0);
        }
        return new Cursor(lastId.time(), lastId.tag() + 1);
    }

    /**
     * Records {@code m} as published and, when {@code maxMessages > 0}, appends it and trims
     * the <em>single</em> oldest message if the queue is then longer than {@code maxMessages}
     * (protocol.md §5.3: only one per publish, even when a location with a larger max filled
     * the queue). With {@code maxMessages == 0} nothing is stored (protocol.md §5.7) but the
     * id still counts for {@link #nextId}.
     *
     * @return the trimmed message, or null
     * @throws IllegalArgumentException if {@code m}'s id does not come after the last id
     */
    public Message append(Message m, int maxMessages) {
        if (lastId != null && !m.id().isAfter(lastId)) {
            throw new IllegalArgumentException("message id " + m.id() + " not after " + lastId);
        }
        lastId = m.id();
        if (maxMessages <= 0) {
            forgotten(m.id());
            return null;
        }
        if (size == items.length) {
            resize(items.length * 2);
        }
        int at = (head + size) % items.length;
        items[at] = m;
        received[at] = 0;
        long payload = payloadBytes(m);
        held[at] = payload;
        size++;
        bytes += payload;
        if (m.expires() != 0 && m.expires() < earliestExpiry) {
            earliestExpiry = m.expires();
        }
        return size > maxMessages ? removeOldest() : null;
    }

    /**
     * The cursor lookup of protocol.md §4.2: the first (oldest) stored message whose id
     * comes after {@code after}, or null when the queue is empty or {@code after} is at or
     * past the newest message. {@link Cursor#OLDEST} therefore finds the oldest message.
     */
    public Message find(Cursor after) {
        if (size == 0 || !get(size - 1).id().isAfter(after)) {
            return null;
        }
        // Ids are strictly increasing, so "isAfter(after)" is monotone over the queue.
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid).id().isAfter(after)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return get(lo);
    }

    /**
     * Removes every expired message ({@code now > expires}, protocol.md §5.6).
     *
     * <p>Deliberate improvement over the module, which only removes expired messages from
     * the head and stops at the first live one, so an older message with a longer timeout
     * (published through another location) shields newer expired ones and they stay
     * deliverable. Here every expired message goes, wherever it is, so an expired message
     * is never delivered.
     *
     * @return how many were removed
     */
    public int removeExpired(long nowSeconds) {
        if (nowSeconds <= earliestExpiry) {
            return 0; // nothing can have expired: now > expires is false for all
        }
        int kept = 0;
        long earliest = Long.MAX_VALUE;
        int removed = 0;
        for (int i = 0; i < size; i++) {
            Message m = get(i);
            int from = slot(i);
            if (m.isExpired(nowSeconds)) {
                forgotten(m.id());
                bytes -= held[from];
                removed++;
            } else {
                int to = slot(kept++);
                items[to] = m;
                received[to] = received[from];
                held[to] = held[from];
                if (m.expires() != 0 && m.expires() < earliest) {
                    earliest = m.expires();
                }
            }
        }
        for (int i = kept; i < size; i++) {
            set(i, null);
        }
        size = kept;
        earliestExpiry = earliest;
        maybeShrink();
        return removed;
    }

    /** Removes and returns the oldest message, or null when empty. */
    public Message removeOldest() {
        if (size == 0) {
            return null;
        }
        Message m = items[head];
        bytes -= held[head];
        forgotten(m.id());
        items[head] = null;
        received[head] = 0;
        held[head] = 0;
        head = (head + 1) % items.length;
        size--;
        if (size == 0) {
            head = 0;
            earliestExpiry = Long.MAX_VALUE;
        }
        maybeShrink();
        return m;
    }

    /** Drops every stored message (channel delete, protocol.md §3.3). The id counter is kept. */
    public void clear() {
        if (size > 0) forgotten(get(size - 1).id());
        items = new Message[INITIAL_CAPACITY];
        received = new int[INITIAL_CAPACITY];
        held = new long[INITIAL_CAPACITY];
        head = 0;
        size = 0;
        bytes = 0;
        earliestExpiry = Long.MAX_VALUE;
    }

    /**
     * The id of the newest message that was published here and is no longer stored
     * (trimmed, expired, removed, or never stored), or null: a cursor before it has missed
     * messages (protocol.md §14.5).
     */
    public Cursor forgottenThrough() {
        return forgottenThrough;
    }

    private void forgotten(Cursor id) {
        if (forgottenThrough == null || id.isAfter(forgottenThrough)) forgottenThrough = id;
    }

    /**
     * The cursor after which {@link #find} gives the Nth stored message: counted from the
     * oldest when {@code nth > 0}, from the newest when {@code nth < 0}, the last one
     * counted when fewer are stored (nchan_subscriber_first_message N, protocol.md §14.7);
     * null when nothing is stored.
     */
    public Cursor before(int nth) {
        if (size == 0 || nth == 0) return null;
        int i = nth > 0 ? Math.min(nth, size) - 1 : Math.max(size + nth, 0);
        return i == 0 ? Cursor.OLDEST : get(i - 1).id();
    }

    /** The oldest stored message, or null. */
    public Message oldest() {
        return size == 0 ? null : get(0);
    }

    /** The newest stored message, or null. */
    public Message newest() {
        return size == 0 ? null : get(size - 1);
    }

    /**
     * Advances the id counter to {@code id} if it is ahead, for restoring a saved channel
     * whose last published message was not stored (protocol.md §3.2, §5.7).
     */
    public void restoreLastId(Cursor id) {
        if (lastId == null || id.isAfter(lastId)) {
            lastId = id;
            if (size == 0 || id.isAfter(get(size - 1).id())) forgotten(id); // published, not stored
        }
    }

    /** The stored messages, oldest first (a copy). */
    public java.util.List<Message> messages() {
        return java.util.List.of(snapshot());
    }

    /** The id of the last message published on the channel (stored or not), or null. */
    public Cursor lastId() {
        return lastId;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Payload bytes (bodies plus Content-Types) of the stored messages. */
    public long bytes() {
        return bytes;
    }

    private Message get(int i) {
        return items[(head + i) % items.length];
    }

    private void set(int i, Message m) {
        items[(head + i) % items.length] = m;
    }

    private void maybeShrink() {
        if (items.length > SHRINK_ABOVE && size < items.length / 4) {
            resize(items.length / 2);
        }
    }

    private void resize(int capacity) {
        int n = Math.max(capacity, INITIAL_CAPACITY);
        Message[] next = new Message[n];
        int[] nextReceived = new int[n];
        long[] nextHeld = new long[n];
        for (int i = 0; i < size; i++) {
            int from = slot(i);
            next[i] = items[from];
            nextReceived[i] = received[from];
            nextHeld[i] = held[from];
        }
        items = next;
        received = nextReceived;
        held = nextHeld;
        head = 0;
    }

    @Override
    public String toString() {
        return "MessageBuffer" + Arrays.toString(snapshot());
    }

    private Message[] snapshot() {
        Message[] out = new Message[size];
        for (int i = 0; i < size; i++) {
            out[i] = get(i);
        }
        return out;
    }
}
