/**
 * nginx configuration syntax: the tokenizer (quotes, escapes, comments), the parser that
 * builds the {@link dev.pushrelay.config.syntax.ConfNode} tree and expands {@code include},
 * and the nodes themselves. Knows no directive; errors are
 * {@link dev.pushrelay.config.syntax.ConfException} reading {@code file:line: ...}.
 */
package dev.pushrelay.config.syntax;
