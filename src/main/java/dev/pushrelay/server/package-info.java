/** Lifecycle and wiring: builds the store, the handlers and the Undertow listeners (the composition root). */
package dev.pushrelay.server;
