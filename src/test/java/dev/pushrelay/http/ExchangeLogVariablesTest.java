package dev.pushrelay.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ExchangeLogVariablesTest {

    @Test
    void arg_is_raw_first_match_case_insensitive_like_nginx() {
        assertEquals("a%20b", ExchangeLogVariables.rawArg("x=1&id=a%20b&id=c", "id"));
        assertEquals("v", ExchangeLogVariables.rawArg("ID=v", "id"));
        assertEquals("", ExchangeLogVariables.rawArg("id=", "id"));
        assertNull(ExchangeLogVariables.rawArg("idx=1&i=2", "id"));
        assertNull(ExchangeLogVariables.rawArg(null, "id"));
    }
}
