// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

func init() {
	register("completion", "print the shell completion script for bash, zsh or fish", runCompletion)
}

func runCompletion(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("completion", "bash|zsh|fish",
		"Print the script that completes gvfs-meta's commands and options in the\n"+
			"shell named (and file names for operands). Packages install it; to try\n"+
			"it in a running shell, source its output.",
		"source <(gvfs-meta completion bash)\n"+
			"gvfs-meta completion fish > ~/.config/fish/completions/gvfs-meta.fish", stderr)
	if stop, status := parseCommand(flags, args, stdout, operands{1, 1, "bash, zsh or fish"}); stop {
		return status
	}
	write := map[string]func(io.Writer, []commandDoc){"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}[flags.Arg(0)]
	if write == nil {
		return usageError(flags, "no completion for %q: expected bash, zsh or fish", flags.Arg(0))
	}
	write(stdout, allDocs())
	return exitOK
}

// allDocs is every command's help, by name.
func allDocs() []commandDoc {
	var out []commandDoc
	for name := range commands {
		out = append(out, docOf(name))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// optionSpelling is an option as its help shows it: -l, --json.
func optionSpelling(f *flag.Flag) string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

// optionNames lists a command's options as typed, --help included.
func optionNames(d commandDoc) []string {
	var out []string
	d.flags.VisitAll(func(f *flag.Flag) { out = append(out, optionSpelling(f)) })
	return append(out, "--help")
}

func commandNames(docs []commandDoc) string {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.name
	}
	return strings.Join(names, " ")
}

func bashCompletion(w io.Writer, docs []commandDoc) {
	fmt.Fprintf(w, `# bash completion for gvfs-meta (made by 'gvfs-meta completion bash')
_gvfs_meta() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local commands=%q
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local options=
    case ${COMP_WORDS[1]} in
`, commandNames(docs))
	for _, d := range docs {
		fmt.Fprintf(w, "        %s) options=%q ;;\n", d.name, strings.Join(optionNames(d), " "))
	}
	fmt.Fprint(w, `    esac
    case ${COMP_WORDS[1]} in
        help)
            [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$commands --man" -- "$cur"))
            return ;;
        completion)
            COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))
            return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    fi
    # Otherwise nothing: the shell completes file names (-o default).
}
complete -o default -F _gvfs_meta gvfs-meta
`)
}

// zshQuote quotes s for zsh in single quotes.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func zshCompletion(w io.Writer, docs []commandDoc) {
	fmt.Fprint(w, "#compdef gvfs-meta\n# zsh completion for gvfs-meta (made by 'gvfs-meta completion zsh')\n\n_gvfs_meta() {\n    local -a commands\n    commands=(\n")
	for _, d := range docs {
		fmt.Fprintf(w, "        %s\n", zshQuote(d.name+":"+strings.ReplaceAll(commands[d.name].summary, ":", `\:`)))
	}
	fmt.Fprint(w, "    )\n    if (( CURRENT == 2 )); then\n        _describe -t commands 'gvfs-meta command' commands\n        return\n    fi\n    case $words[2] in\n")
	for _, d := range docs {
		fmt.Fprintf(w, "        %s)\n            _arguments -s", d.name)
		d.flags.VisitAll(func(f *flag.Flag) {
			_, usage := flag.UnquoteUsage(f)
			spec := optionSpelling(f) + "[" + strings.NewReplacer("[", `\[`, "]", `\]`, ":", `\:`).Replace(usage) + "]"
			if !isBoolFlag(f) {
				spec += ":value:_files"
			}
			fmt.Fprintf(w, " \\\n                %s", zshQuote(spec))
		})
		operands := "'*:file:_files'"
		switch d.name {
		case "help":
			operands = "'1:command:(" + commandNames(docs) + " --man)'"
		case "completion":
			operands = "'1:shell:(bash zsh fish)'"
		}
		fmt.Fprintf(w, " \\\n                '--help[show this command'\\''s help]' \\\n                %s ;;\n", operands)
	}
	fmt.Fprint(w, "    esac\n}\n\n_gvfs_meta \"$@\"\n")
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func fishCompletion(w io.Writer, docs []commandDoc) {
	fmt.Fprint(w, "# fish completion for gvfs-meta (made by 'gvfs-meta completion fish')\n")
	fmt.Fprintf(w, "set -l gvfs_meta_commands %s\n", commandNames(docs))
	fmt.Fprint(w, "complete -c gvfs-meta -n \"not __fish_seen_subcommand_from $gvfs_meta_commands\" -f\n")
	fmt.Fprint(w, "complete -c gvfs-meta -n \"not __fish_seen_subcommand_from $gvfs_meta_commands\" -l version -d 'print the version'\n")
	for _, d := range docs {
		fmt.Fprintf(w, "complete -c gvfs-meta -n \"not __fish_seen_subcommand_from $gvfs_meta_commands\" -a %s -d %s\n", d.name, fishQuote(commands[d.name].summary))
		cond := fishQuote("__fish_seen_subcommand_from " + d.name)
		d.flags.VisitAll(func(f *flag.Flag) {
			_, usage := flag.UnquoteUsage(f)
			req := ""
			if !isBoolFlag(f) {
				req = " -r"
			}
			kind := "-l"
			if len(f.Name) == 1 {
				kind = "-s"
			}
			fmt.Fprintf(w, "complete -c gvfs-meta -n %s %s %s%s -d %s\n", cond, kind, f.Name, req, fishQuote(usage))
		})
		fmt.Fprintf(w, "complete -c gvfs-meta -n %s -l help -d %s\n", cond, fishQuote("show this command's help"))
	}
	fmt.Fprint(w, "complete -c gvfs-meta -n '__fish_seen_subcommand_from help' -f -a \"$gvfs_meta_commands\"\n")
	fmt.Fprint(w, "complete -c gvfs-meta -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'\n")
}
