package dev.pushrelay.config;

/**
 * One value a directive sets at a level (http, server, location), with nginx's merge rule
 * ({@code ngx_conf_merge_*_value}): unset at a level, it is the enclosing level's, finally
 * {@link #byDefault()}. The directive's registry entry writes it, {@link Merge} reads it; the
 * default is written here and nowhere else.
 *
 * @param name the directive that sets it (its nchan alias may too), for reading the code
 * @param byDefault the value when no level sets it (may be null: "not configured")
 */
record Slot<T>(String name, T byDefault) {

    @Override
    public boolean equals(Object o) {
        return this == o; // one slot per declaration, even if two look alike
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
