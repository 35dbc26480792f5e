package io.kgroups.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The help, wrapped at spaces only. Picocli wraps with Java's line BreakIterator, which also breaks
 * after '.', ':', '/' and ',', and so cuts bootstrap.servers, HOST:PORT or ~/.kgroups/config in
 * two: each section is rendered by picocli with one line per paragraph, then wrapped here to the
 * width picocli would have used (the terminal's), continuation lines indented as picocli does.
 */
final class HelpWrapping {
    /** Wide enough that picocli wraps nothing. */
    private static final int UNWRAPPED = 1000;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[\\d;]*m");
    /** A row of a table (options, arguments, commands) whose name fits its column: the name, the padding, the text. */
    private static final Pattern ROW = Pattern.compile("^(\\s*\\S.*?\\s{2,})\\S");
    private static final Set<String> TABLES = Set.of(UsageMessageSpec.SECTION_KEY_OPTION_LIST,
            UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, UsageMessageSpec.SECTION_KEY_COMMAND_LIST);

    /** Where a line may be cut (after its first {@code head} columns) and where its continuation lines start. */
    private record Cut(int head, int continuation) {
    }

    private HelpWrapping() {
    }

    /** Wraps every section of the help of {@code root} and of all its subcommands. */
    static void install(CommandLine root) {
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(root.getHelpSectionMap());
        sections.replaceAll((key, renderer) -> help -> render(key, renderer, help));
        root.setHelpSectionMap(sections);
    }

    private static String render(String key, IHelpSectionRenderer renderer, Help help) {
        UsageMessageSpec usage = help.commandSpec().usageMessage();
        int width = usage.width();
        boolean auto = usage.autoWidth();
        String unwrapped;
        usage.autoWidth(false).width(UNWRAPPED);
        try {
            unwrapped = renderer.render(new Help(help.commandSpec(), help.colorScheme()));
        } finally {
            usage.width(width).autoWidth(auto);
        }
        // The synopsis follows its heading ("Usage: ") on the same line: wrapped as if the heading were there.
        String heading = key.equals(UsageMessageSpec.SECTION_KEY_SYNOPSIS) ? " ".repeat(help.synopsisHeadingLength()) : "";
        String[] lines = (heading + unwrapped).split("\n", -1);
        List<String> plain = Arrays.stream(lines).map(HelpWrapping::plain).toList();
        int column = TABLES.contains(key) ? plain.stream().map(ROW::matcher).filter(Matcher::find)
                .mapToInt(row -> row.group(1).length()).findFirst().orElse(0) : 0;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(i == 0 ? "" : "\n").append(wrap(lines[i], width, cut(key, plain.get(i), column, help)));
        }
        return out.substring(heading.length());
    }

    /** {@code plain}: the line without styles; {@code column}: where the text column of a table starts. */
    private static Cut cut(String key, String plain, int column, Help help) {
        int indent = plain.length() - plain.stripLeading().length();
        if (key.equals(UsageMessageSpec.SECTION_KEY_SYNOPSIS)) {
            // Continuation lines start under the first word after the command name, as picocli's.
            String name = help.commandSpec().qualifiedName() + " ";
            int at = plain.indexOf(name);
            int head = at < 0 ? indent : at + name.length();
            return new Cut(head, head);
        }
        if (TABLES.contains(key) && column > 0) {
            // A name longer than its column pushes the text one space past it, or to the next line
            // (then the name fills the line, and is not cut).
            int space = plain.indexOf(' ', column - 1);
            int head = indent >= column ? indent : space < 0 ? plain.length() : space + 1;
            return new Cut(head, column + 2);
        }
        return new Cut(indent, indent);
    }

    /** The line cut at spaces to fit {@code width}, never in its first {@code cut.head()} columns. */
    private static String wrap(String line, int width, Cut cut) {
        if (visible(line) <= width || cut.head() >= visible(line)) {
            return line;
        }
        int start = offset(line, cut.head());
        StringBuilder out = new StringBuilder();
        StringBuilder current = new StringBuilder(line.substring(0, start));
        boolean first = true;
        for (String word : line.substring(start).trim().split(" +")) {
            if (!first && visible(current) + 1 + visible(word) > width) {
                out.append(current).append('\n');
                current = new StringBuilder(" ".repeat(cut.continuation()));
                first = true;
            }
            current.append(first ? "" : " ").append(word);
            first = false;
        }
        return out.append(current).toString();
    }

    /** The text without its ANSI styles. */
    private static String plain(CharSequence text) {
        return ANSI.matcher(text).replaceAll("");
    }

    /** Columns on the terminal: ANSI styles take none. */
    private static int visible(CharSequence text) {
        return plain(text).length();
    }

    /** The index in {@code line} of its visible column {@code column}. */
    private static int offset(String line, int column) {
        Matcher style = ANSI.matcher(line);
        int index = 0;
        int seen = 0;
        while (seen < column && index < line.length()) {
            if (style.find(index) && style.start() == index) {
                index = style.end();
            } else {
                index++;
                seen++;
            }
        }
        return index;
    }
}
