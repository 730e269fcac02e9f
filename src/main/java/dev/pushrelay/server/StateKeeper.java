package dev.pushrelay.server;

import dev.pushrelay.state.StateFile;
import dev.pushrelay.state.StateFileException;
import dev.pushrelay.store.ChannelSnapshot;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.RestoreResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Restart without loss ({@code pushrelay_state_path}, README "Operating pushrelay"): the
 * store's channels saved at a graceful stop and put back at start. Never throws: every
 * outcome is one report line, {@code "[level] text"}, for the error log.
 */
final class StateKeeper {

    private StateKeeper() {
    }

    /**
     * Loads {@code path} into {@code store}. A missing file starts empty; an unusable one is
     * reported with its reason, moved aside as {@code PATH.corrupt} and start-up continues
     * empty. A loaded file is removed: the state now lives in memory and is written again
     * at the next stop, so a crash never brings back an older state than the last one seen.
     */
    static String restore(ChannelStore store, Path path) {
        StateFile.Loaded loaded;
        try {
            loaded = StateFile.load(path);
        } catch (NoSuchFileException e) {
            return "[notice] no state file " + path + " to restore; starting empty";
        } catch (StateFileException e) {
            Path aside = path.resolveSibling(path.getFileName() + ".corrupt");
            String kept;
            try {
                Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
                kept = "kept as " + aside;
            } catch (IOException moveFailed) {
                kept = "could not move it aside (" + moveFailed.getMessage() + ")";
            }
            return "[error] state file " + path + " is unusable: " + e.getMessage() + "; starting empty, " + kept;
        } catch (IOException e) {
            return "[error] cannot read state file " + path + ": " + e + "; starting empty";
        }
        RestoreResult r = store.restore(loaded.channels());
        String removed;
        try {
            Files.deleteIfExists(path);
            removed = "";
        } catch (IOException e) {
            removed = "; could not remove it (" + e.getMessage() + "), it will be overwritten at the next stop";
        }
        StringBuilder b = new StringBuilder(r.overBudget() > 0 || r.invalid() > 0 ? "[warn] " : "[notice] ");
        b.append("restored ").append(r.channels()).append(" channels, ").append(r.messages())
                .append(" messages from ").append(path);
        if (r.expired() > 0) b.append("; ").append(r.expired()).append(" expired messages skipped");
        if (r.overBudget() > 0) b.append("; ").append(r.overBudget()).append(" channels skipped: over push_max_reserved_memory");
        if (r.invalid() > 0) b.append("; ").append(r.invalid()).append(" channels skipped: inconsistent or duplicate");
        return b.append(removed).toString();
    }

    /** Saves every channel of {@code store} to {@code path}, atomically. */
    static String save(ChannelStore store, Path path, long nowEpochSecond) {
        List<ChannelSnapshot> channels = store.snapshot();
        long messages = channels.stream().mapToLong(c -> c.messages().size()).sum();
        try {
            long bytes = StateFile.save(path, channels, nowEpochSecond);
            return "[notice] saved " + channels.size() + " channels, " + messages + " messages (" + bytes
                    + " bytes) to " + path;
        } catch (IOException | RuntimeException e) {
            return "[error] cannot save state to " + path + ": " + e + "; " + messages + " messages are lost";
        }
    }
}
