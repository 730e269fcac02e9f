package dev.pushrelay.config;

/**
 * nginx's {@code add_header NAME VALUE [always]}: added to 200, 201, 204, 206, 301, 302,
 * 303, 304, 307 and 308 responses, or to every response with {@code always}. The value
 * is as written (nginx allows variables in it).
 */
public record AddHeader(String name, String value, boolean always) {

    /** Whether nginx adds this header to a response with {@code status}. */
    public boolean appliesTo(int status) {
        if (always) {
            return true;
        }
        return switch (status) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
            default -> false;
        };
    }
}
