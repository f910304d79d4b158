package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"forensics/progress"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		code        int
		stdout      []string // substrings that stdout must contain
		stderr      []string // substrings that stderr must contain
		noStderr    bool     // stderr must be empty
		exactStdout string   // when set, stdout must equal it
	}{
		{
			name:     "help",
			args:     []string{"--help"},
			code:     exitOK,
			stdout:   []string{"Usage:", "forensics", "eBPF", "Falco", "Exit status:", "--version", "--no-progress"},
			noStderr: true,
		},
		{
			name:     "no arguments shows help",
			args:     nil,
			code:     exitOK,
			stdout:   []string{"Usage:", "forensics"},
			noStderr: true,
		},
		{
			name:        "version",
			args:        []string{"--version"},
			code:        exitOK,
			exactStdout: "forensics version " + resolveVersion() + "\n",
			noStderr:    true,
		},
		{
			name:     "completion bash",
			args:     []string{"completion", "bash"},
			code:     exitOK,
			stdout:   []string{"bash completion", "__start_forensics"},
			noStderr: true,
		},
		{
			name:     "completion zsh",
			args:     []string{"completion", "zsh"},
			code:     exitOK,
			stdout:   []string{"#compdef forensics"},
			noStderr: true,
		},
		{
			name:   "unknown flag",
			args:   []string{"--bogus"},
			code:   exitUsage,
			stderr: []string{"forensics: unknown flag: --bogus", "Run 'forensics --help' for usage."},
		},
		{
			name:   "unknown shorthand flag",
			args:   []string{"-Z"},
			code:   exitUsage,
			stderr: []string{"forensics: unknown shorthand flag: 'Z' in -Z"},
		},
		{
			name:   "unknown command",
			args:   []string{"bogus"},
			code:   exitUsage,
			stderr: []string{`forensics: unknown command "bogus" for "forensics"`},
		},
		{
			name:   "unknown completion shell",
			args:   []string{"completion", "tcsh"},
			code:   exitUsage,
			stderr: []string{`unknown command "tcsh" for "forensics completion"`, "Run 'forensics completion --help' for usage."},
		},
		{
			name:   "completion with too many arguments",
			args:   []string{"completion", "bash", "extra"},
			code:   exitUsage,
			stderr: []string{"forensics: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout does not contain %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr does not contain %q:\n%s", s, stderr.String())
				}
			}
			if tt.noStderr && stderr.Len() > 0 {
				t.Errorf("stderr: %q, want nothing", stderr.String())
			}
			if tt.exactStdout != "" && stdout.String() != tt.exactStdout {
				t.Errorf("stdout: %q, want %q", stdout.String(), tt.exactStdout)
			}
		})
	}
}

// probeCmd is a subcommand for testing the exit status convention: its
// single argument says what it does.
func probeCmd(stdout, _ io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:  "probe ACTION",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch args[0] {
			case "ok":
				fmt.Fprintln(stdout, "output="+output)
				return nil
			case "negative":
				return withCode(exitNegative, errors.New("damage found"))
			case "negative-silent":
				fmt.Fprintln(stdout, "report")
				return withCode(exitNegative, nil)
			case "runtime":
				return fmt.Errorf("read capture: %w", io.ErrUnexpectedEOF)
			case "usage":
				return usageErrorf("bad time %q", "yesterday")
			case "canceled":
				<-cmd.Context().Done()
				return fmt.Errorf("read: %w", cmd.Context().Err())
			case "progress":
				off, err := cmd.Flags().GetBool(noProgressFlag)
				rep := newProgress(cmd, 10, "probe", progress.Events)
				rep.Add(10)
				rep.Finish()
				fmt.Fprintf(stdout, "no-progress=%v err=%v\n", off, err)
				return nil
			}
			return fmt.Errorf("unknown action %q", args[0])
		},
	}
	addOutputFlag(cmd, &output)
	cmd.Flags().Bool("fail-early", false, "fail in PreRunE")
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if fail, _ := cmd.Flags().GetBool("fail-early"); fail {
			return errors.New("cannot open")
		}
		return nil
	}
	return cmd
}

// groupCmd is a subcommand that only groups others.
func groupCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "a group"}
	cmd.AddCommand(&cobra.Command{
		Use:   "leaf",
		Short: "a leaf",
		Run:   func(*cobra.Command, []string) { fmt.Fprintln(stdout, "leaf ran") },
	})
	return cmd
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		cancel bool
		code   int
		stdout string // exact
		stderr string // exact
	}{
		{"ok", []string{"probe", "ok"}, false, exitOK, "output=text\n", ""},
		{"output json", []string{"probe", "-o", "json", "ok"}, false, exitOK, "output=json\n", ""},
		{"output upper case", []string{"probe", "--output=JSON", "ok"}, false, exitOK, "output=json\n", ""},
		{"output invalid", []string{"probe", "-o", "xml", "ok"}, false, exitUsage, "",
			"forensics: invalid argument \"xml\" for \"-o, --output\" flag: must be \"text\" or \"json\"\nRun 'forensics probe --help' for usage.\n"},
		{"missing argument", []string{"probe"}, false, exitUsage, "",
			"forensics: accepts 1 arg(s), received 0\nRun 'forensics probe --help' for usage.\n"},
		{"negative", []string{"probe", "negative"}, false, exitNegative, "", "forensics: damage found\n"},
		{"negative silent", []string{"probe", "negative-silent"}, false, exitNegative, "report\n", ""},
		{"runtime", []string{"probe", "runtime"}, false, exitRuntime, "", "forensics: read capture: unexpected EOF\n"},
		{"runtime in PreRunE", []string{"probe", "--fail-early", "ok"}, false, exitRuntime, "", "forensics: cannot open\n"},
		{"usage from RunE", []string{"probe", "usage"}, false, exitUsage, "",
			"forensics: bad time \"yesterday\"\nRun 'forensics probe --help' for usage.\n"},
		{"interrupted", []string{"probe", "canceled"}, true, exitRuntime, "", "forensics: interrupted\n"},
		{"persistent flag", []string{"--no-progress", "probe", "progress"}, false, exitOK, "no-progress=true err=<nil>\n", ""},
		{"persistent flag after", []string{"probe", "progress", "--no-progress"}, false, exitOK, "no-progress=true err=<nil>\n", ""},
		{"persistent flag default", []string{"probe", "progress"}, false, exitOK, "no-progress=false err=<nil>\n", ""},
		{"leaf", []string{"group", "leaf"}, false, exitOK, "leaf ran\n", ""},
		{"unknown in group", []string{"group", "leef"}, false, exitUsage, "",
			"forensics: unknown command \"leef\" for \"forensics group\"\n\nDid you mean this?\n\tleaf\nRun 'forensics group --help' for usage.\n"},
		{"suggestion", []string{"prob"}, false, exitUsage, "",
			"forensics: unknown command \"prob\" for \"forensics\"\n\nDid you mean this?\n\tprobe\nRun 'forensics --help' for usage.\n"},
		{"help command", []string{"help", "probe"}, false, exitOK, "Usage:\n  forensics probe ACTION [flags]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			var stdout, stderr bytes.Buffer
			root := buildRootCmd(&stdout, &stderr, []commandFactory{probeCmd, groupCmd})
			code := execute(ctx, root, tt.args, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if !strings.HasPrefix(stdout.String(), tt.stdout) || (tt.stdout == "" && stdout.Len() > 0) {
				t.Errorf("stdout: %q, want %q", stdout.String(), tt.stdout)
			}
			if stderr.String() != tt.stderr {
				t.Errorf("stderr: %q, want %q", stderr.String(), tt.stderr)
			}
		})
	}
}

func TestWithCode(t *testing.T) {
	base := errors.New("base")
	tests := []struct {
		name string
		err  error
		code int
	}{
		{"nil", nil, exitOK},
		{"ok code keeps nil", withCode(exitOK, nil), exitOK},
		{"uncoded is cobra's", base, exitUsage},
		{"negative", withCode(exitNegative, base), exitNegative},
		{"wrapped", fmt.Errorf("context: %w", withCode(exitRuntime, base)), exitRuntime},
		{"outer code wins", withCode(exitNegative, withCode(exitRuntime, base)), exitNegative},
		{"usageErrorf", usageErrorf("bad %d", 1), exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.code {
				t.Errorf("exitCode = %d, want %d", got, tt.code)
			}
		})
	}
	if err := withCode(exitRuntime, base); !errors.Is(err, base) || err.Error() != "base" {
		t.Errorf("withCode(3, base) = %v, want an error wrapping base", err)
	}
	if err := withCode(exitNegative, nil); err.Error() != "exit status 1" {
		t.Errorf("withCode(1, nil).Error() = %q", err.Error())
	}
}

func TestPrintJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"object", map[string]any{"path": "/tmp/<x>&y", "n": 3}, "{\n  \"n\": 3,\n  \"path\": \"/tmp/<x>&y\"\n}\n"},
		{"list", []int{1, 2}, "[\n  1,\n  2\n]\n"},
		{"null", nil, "null\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := printJSON(&buf, tt.v); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("printJSON = %q, want %q", buf.String(), tt.want)
			}
		})
	}
	if err := printJSON(io.Discard, func() {}); err == nil {
		t.Error("printJSON(func) succeeded, want an error")
	}
}
