package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"forensics/progress"
)

// version is the version that --version prints. Release builds set it with
// -ldflags "-X main.version=v1.2.3" (see the Makefile); it is the one
// package-level variable, and nothing changes it at run time.
var version = "dev"

// commandFactory builds one subcommand of forensics. stdout receives the
// command's results, stderr its diagnostics and progress bars.
type commandFactory func(stdout, stderr io.Writer) *cobra.Command

// subcommands lists the constructors of every subcommand of forensics. Add
// a new subcommand by writing its newXxxCmd in its own file and listing it
// here.
func subcommands() []commandFactory {
	return []commandFactory{
		newInfoCmd,
		newVerifyCmd,
		newRepairCmd,
		newImportCmd,
		newExportCmd,
		newQueryCmd,
		newSQLCmd,
		newFieldsCmd,
		newReplayCmd,
		newChiselCmd,
		newRecordCmd,
		newAuditCmd,
	}
}

// run runs forensics with args (without the program name) and returns the
// process's exit status (see exitcode.go). Errors are printed to stderr as
// "forensics: <err>".
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, newRootCmd(stdout, stderr), args, stderr)
}

// newRootCmd returns the forensics command with all its subcommands.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	return buildRootCmd(stdout, stderr, subcommands())
}

const rootLong = `forensics works on system call capture files, offline.

It records the system calls of a host with eBPF into a compact, indexed
capture file, and then answers questions about that file after the fact, on
any machine, without access to the system it came from: filter and print
events with sysdig-style filters, run chisels (canned analyses: top files,
top processes, connections, ...), replay Falco rules to find what would have
alerted, and export events for other tools. It also checks capture files for
damage and repairs what can be recovered.

Long reads show a progress bar on stderr when it is a terminal; pass
--no-progress or set FORENSICS_NO_PROGRESS=1 to turn it off.

` + exitStatusHelp

// noProgressFlag names the persistent flag that turns progress bars off.
const noProgressFlag = "no-progress"

// buildRootCmd returns the forensics command with the subcommands that
// factories build.
func buildRootCmd(stdout, stderr io.Writer, factories []commandFactory) *cobra.Command {
	root := &cobra.Command{
		Use:           "forensics",
		Short:         "Offline forensics on system call capture files",
		Long:          rootLong,
		Version:       resolveVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without a subcommand, show the help; an unknown subcommand is a
		// usage error (cobra would show the help and exit 0).
		Args:                       unknownCommand,
		RunE:                       showHelp,
		ValidArgsFunction:          cobra.NoFileCompletions,
		SuggestionsMinimumDistance: 2,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().Bool(noProgressFlag, false, "do not show progress bars")
	for _, f := range factories {
		root.AddCommand(f(stdout, stderr))
	}
	return root
}

// resolveVersion returns version or, for a build that did not set it, the
// module version that "go install forensics@vX" records.
func resolveVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// prepareTree makes every command below cmd (and cmd) follow the exit
// status convention: the errors that their run functions and hooks return
// without a code get exitRuntime, and a command that only groups
// subcommands rejects an unknown one with exitUsage instead of showing its
// help.
func prepareTree(cmd *cobra.Command) {
	if cmd.HasParent() && cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = unknownCommand
		cmd.RunE = showHelp
		if cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = cobra.NoFileCompletions
		}
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2
		}
	}
	cmd.PersistentPreRunE = markRuntimeErrors(cmd.PersistentPreRunE)
	cmd.PreRunE = markRuntimeErrors(cmd.PreRunE)
	cmd.RunE = markRuntimeErrors(cmd.RunE)
	cmd.PostRunE = markRuntimeErrors(cmd.PostRunE)
	cmd.PersistentPostRunE = markRuntimeErrors(cmd.PersistentPostRunE)
	for _, sub := range cmd.Commands() {
		prepareTree(sub)
	}
}

// unknownCommand is the Args of a command that only groups subcommands: any
// argument left is an unknown subcommand.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return withCode(exitUsage, errors.New(msg))
}

// showHelp is the RunE of a command that only groups subcommands.
func showHelp(cmd *cobra.Command, _ []string) error {
	return cmd.Help()
}

// execute runs root, as built by buildRootCmd, with args and returns the
// exit status, printing the error, if any, to stderr.
func execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(args)
	// Add cobra's completion and help commands now rather than during
	// ExecuteC, so that prepareTree covers them too.
	root.InitDefaultCompletionCmd(args...)
	root.InitDefaultHelpCmd()
	prepareTree(root)
	cmd, err := root.ExecuteContextC(ctx)
	code := exitCode(err)
	if err == nil {
		return code
	}
	if e, ok := errors.AsType[*exitError](err); ok && e.err == nil {
		return code // a silent exit: the command reported already
	}
	msg := err.Error()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	fmt.Fprintf(stderr, "%s: %s\n", root.Name(), msg)
	if code == exitUsage && cmd != nil {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// newProgress returns the progress reporter for a long operation of cmd
// over total units (total <= 0 when unknown): a bar on cmd's stderr when it
// is a terminal and --no-progress is not given, a no-op otherwise.
func newProgress(cmd *cobra.Command, total int64, description string, unit progress.Unit) progress.Reporter {
	off, _ := cmd.Flags().GetBool(noProgressFlag)
	return progress.New(cmd.ErrOrStderr(), total, description, unit, progress.Quiet(off))
}

// The values of the -o/--output flag.
const (
	outputText = "text"
	outputJSON = "json"
)

// addOutputFlag registers the -o/--output flag on cmd, storing "text" (the
// default) or "json" in *p. Any other value is a usage error when the
// command line is parsed, so the command needs no check of its own.
func addOutputFlag(cmd *cobra.Command, p *string) {
	*p = outputText
	cmd.Flags().VarP(outputValue{p}, "output", "o", `output format: "text" or "json"`)
	// Registration only fails for a flag that does not exist.
	_ = cmd.RegisterFlagCompletionFunc("output",
		cobra.FixedCompletions([]string{outputText, outputJSON}, cobra.ShellCompDirectiveNoFileComp))
}

// outputValue is the pflag.Value of the -o/--output flag.
type outputValue struct{ p *string }

func (v outputValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v outputValue) Set(s string) error {
	switch f := strings.ToLower(s); f {
	case outputText, outputJSON:
		*v.p = f
		return nil
	}
	return fmt.Errorf("must be %q or %q", outputText, outputJSON)
}

func (v outputValue) Type() string { return "format" }

// printJSON writes v to w as JSON indented by two spaces, with a trailing
// newline. HTML characters are not escaped: paths and command lines stay
// readable.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
