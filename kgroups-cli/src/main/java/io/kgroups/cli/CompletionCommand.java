package io.kgroups.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Prints a bash/zsh completion script generated from the command model, so it never goes stale;
 * GROUP arguments complete with the cluster's group names, --cluster with the config file's.
 */
@Command(name = "completion", header = "Print the shell completion script (bash, zsh).",
        description = {"Completes commands, options, option values and, for GROUP arguments, the group names of the "
            + "cluster: the script asks kgroups, with the cluster options already typed on the line (--cluster, "
            + "--bootstrap-server, --command-config), and gives up after 2 seconds, completing nothing; --cluster completes "
            + "with the names of the config file (~/.kgroups/config, or $" + ClusterProfiles.CONFIG_ENV + ")."},
        footer = {"", "Examples:", "  In bash, for this shell (add the line to ~/.bashrc to keep it):",
            "    source <(kgroups completion)",
            "  In zsh, bash completion first:",
            "    autoload -U +X bashcompinit && bashcompinit && source <(kgroups completion)"})
final class CompletionCommand implements Callable<Integer> {
    /** The array picocli writes for a GROUP argument, holding the placeholder. */
    private static final Pattern GROUP_ARRAY = array(GroupNameCandidates.PLACEHOLDER);
    /** The array picocli writes for the values of --cluster, holding the placeholder. */
    private static final Pattern CLUSTER_ARRAY = array(ClusterNameCandidates.PLACEHOLDER);

    /**
     * Group names from the cluster, filtered by the word being completed; and picocli's
     * currentPositionalIndex again, defined after it so that it replaces it. Both read the line up
     * to the cursor, split at spaces, rather than COMP_WORDS, which bash also splits at ':' and '='
     * (a HOST:PORT is three words there, and picocli would count two of them as arguments).
     */
    private static final String COMPLETE_GROUPS = """

            # kgroups: the words of the line up to the cursor, one a line.
            function _kgroups_words() {
              printf '%s' "${COMP_LINE:0:COMP_POINT}" | tr -s ' \t' '\n\n'
            }

            # kgroups: the index of the argument being completed (the words after the command name, less options).
            function currentPositionalIndex() {
              local commandName="$1" optionsWithArgs="$2" booleanOptions="$3"
              local IFS=$'\n'
              local -a words=( $(_kgroups_words) )
              local last=${#words[@]} result=0 i
              [[ "${COMP_LINE:0:COMP_POINT}" =~ [[:space:]]$ ]] || ((last--))
              for (( i=last-1; i>=0; i-- )); do
                [ "${words[i]}" = "$commandName" ] && break
                if [[ "${words[i]}" == -*=* ]]; then ((result-=1))
                elif [[ "${optionsWithArgs}" == *"'${words[i]}'"* ]]; then ((result-=2))
                elif [[ "${booleanOptions}" == *"'${words[i]}'"* ]]; then ((result-=1))
                fi
                ((result++))
              done
              echo "$result"
            }

            # kgroups: GROUP arguments, the group names of the cluster the line names, within 2 s (else nothing).
            function _kgroups_complete_groups() {
              local IFS=$'\n'
              local -a words=( $(_kgroups_words) ) args=()
              local i
              for (( i=1; i<${#words[@]}; i++ )); do
                case "${words[i]}" in
                  --cluster|--bootstrap-server|--command-config) args+=("${words[i]}" "${words[i+1]}") ;;
                  --cluster=*|--bootstrap-server=*|--command-config=*) args+=("${words[i]}") ;;
                esac
              done
              local -a groups=( $("${words[0]}" __complete-groups "${args[@]}" --timeout 2s 2>/dev/null) )
              compReplyArray "${groups[@]}"
            }

            # kgroups: --cluster values, the clusters of the config file ($KGROUPS_CONFIG, else ~/.kgroups/config).
            function _kgroups_complete_clusters() {
              local IFS=$'\n'
              local -a words=( $(_kgroups_words) )
              local -a names=( $("${words[0]}" __complete-clusters 2>/dev/null) )
              compReplyArray "${names[@]}"
            }
            """;

    @Mixin
    private CommandContext context;

    @Override
    public Integer call() {
        context.textOnly("a shell script");
        context.out().print(script(AutoComplete.bash("kgroups", context.root())));
        context.out().flush();
        return CliException.OK;
    }

    /** Picocli's script with the GROUP and --cluster placeholders replaced by calls that ask kgroups. */
    static String script(String generated) {
        String script = replace(generated, GROUP_ARRAY, GroupNameCandidates.PLACEHOLDER, "_kgroups_complete_groups");
        script = replace(script, CLUSTER_ARRAY, ClusterNameCandidates.PLACEHOLDER, "_kgroups_complete_clusters");
        return script + COMPLETE_GROUPS;
    }

    private static Pattern array(String placeholder) {
        return Pattern.compile("\\n[ \\t]*local (\\w+)=\\(\"" + placeholder + "\"\\)[^\\n]*");
    }

    /** Removes the arrays holding {@code placeholder} and calls {@code function} where they were offered. */
    private static String replace(String script, Pattern arrays, String placeholder, String function) {
        Matcher found = arrays.matcher(script);
        List<String> names = new ArrayList<>();
        while (found.find()) {
            names.add(found.group(1));
        }
        String replaced = found.replaceAll("");
        for (String name : names) {
            replaced = replaced.replace("compReplyArray \"${" + name + "[@]}\"", function);
        }
        if (names.isEmpty() || replaced.contains(placeholder)) {
            // picocli writes its script differently than when this was written: fail loudly, not a broken script.
            throw new IllegalStateException("the completion script of this picocli version has no " + placeholder
                    + " arrays to replace");
        }
        return replaced;
    }
}
