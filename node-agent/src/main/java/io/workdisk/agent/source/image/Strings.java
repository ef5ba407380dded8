package io.workdisk.agent.source.image;

/** Text from a registry, made safe to put in an error message or a log line. */
final class Strings {
    private static final int MAX = 200;

    private Strings() {}

    /** Control characters escaped and long text cut, so a hostile value cannot forge or flood a message. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX) {
            out.append("…");
        }
        return out.toString();
    }
}
