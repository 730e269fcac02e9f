package dev.pushrelay.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.6: a {@code text/*} message goes as a text frame only when its body is valid
 * UTF-8. The check decodes nothing; it must judge every sequence as the JDK's strict decoder does.
 */
class Utf8CheckTest {

    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private boolean decodes(byte[] b) {
        try {
            strict.reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private void same(byte[] b) {
        assertEquals(decodes(b), StreamFrames.isUtf8(ByteBuffer.wrap(b)), () -> java.util.HexFormat.of().formatHex(b));
    }

    @Test
    void s14_6_every_sequence_of_up_to_three_bytes_is_judged_as_the_strict_decoder_judges_it() {
        for (int a = 0; a < 256; a++) {
            same(new byte[] {(byte) a});
            for (int b = 0; b < 256; b++) {
                same(new byte[] {(byte) a, (byte) b});
                if (a < 0xe0 || a > 0xf4) continue; // a third byte matters after a 3- or 4-byte lead only
                for (int c = 0; c < 256; c++) same(new byte[] {(byte) a, (byte) b, (byte) c});
            }
        }
    }

    @Test
    void s14_6_four_byte_sequences_and_mixed_text_are_judged_as_the_strict_decoder_judges_them() {
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
                0xef, 0xf0, 0xf4, 0xf5, 0xff};
        for (int a = 0xf0; a <= 0xf7; a++)
            for (int b : interesting)
                for (int c : interesting)
                    for (int d : interesting) same(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        SplittableRandom r = new SplittableRandom(16);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = ("héllo €𝄞 " + i).getBytes(StandardCharsets.UTF_8);
            if (i % 2 == 1) b[r.nextInt(b.length)] = (byte) interesting[r.nextInt(interesting.length)];
            same(b);
        }
    }

    @Test
    void s14_6_the_check_reads_from_the_position_to_the_limit_and_moves_neither() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) 0xff, 'o', 'k', (byte) 0xc3});
        b.position(1).limit(3);
        assertTrue(StreamFrames.isUtf8(b));
        assertEquals(1, b.position());
        assertEquals(3, b.limit());
        b.limit(4);
        assertFalse(StreamFrames.isUtf8(b), "a sequence cut off at the end");
    }
}
