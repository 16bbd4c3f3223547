package dev.tandem.yjs;

/**
 * A Yjs struct id: the client that created it and its clock (position in that client's sequence).
 *
 * @param client client id (an unsigned 32-bit number in practice)
 * @param clock  clock of the struct
 */
record YId(long client, long clock) {
    static YId read(Lib0Reader in) {
        return new YId(in.varUint(), in.varUint());
    }

    void write(Lib0Writer out) {
        out.varUint(client).varUint(clock);
    }
}
