package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `cpush sends one push message to very large audiences through Alibaba Cloud
Mobile Push's ContinuouslyPush API.

Usage: cpush <command> [flags]

Commands:
  dev      run everything in one process, nothing to set up (not durable)
  worker   run a worker: the queue handlers and the HTTP endpoints
  api      serve the HTTP API, the job page and the web UI without the queue handlers
  send     send a push job (--dry-run shows the plan; --wait follows it)
  status   show a job's progress
  stats    show a job's delivery statistics per MessageId (--refresh asks for them now)
  cancel   cancel a job
  failed   print a job's failed targets, to send again
  sim      run the push API simulator

Settings come from the environment (CPUSH_*, ALIBABA_CLOUD_*) and an
optional YAML file (--config); see the README. "cpush <command> -h" lists
a command's flags.
`

// Exit codes of the binary.
const (
	exitError     = 1 // any error
	exitUsage     = 2 // a bad flag or value
	exitFailed    = 3 // send --wait: the job ended failed
	exitCancelled = 4 // send --wait: the job ended cancelled
)

// exitErr carries an exit code other than exitError.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func exitCode(err error) int {
	var e *exitErr
	if errors.As(err, &e) {
		return e.code
	}
	return exitError
}

// env is what every command gets from run.
type env struct {
	getenv func(string) string
	stdin  io.Reader // os.Stdin: `send --targets-file -` reads it
	stdout io.Writer
	stderr io.Writer
}

type command func(ctx context.Context, args []string, e env) error

var commands = map[string]command{
	"dev":    runDev,
	"worker": runWorker,
	"api":    runAPI,
	"send":   runSend,
	"status": runStatus,
	"stats":  runStats,
	"cancel": runCancel,
	"failed": runFailed,
	"sim":    runSim,
}

// run runs the command named by args[0]. Tests call it as main does.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return usageErr("no command given")
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usageErr("unknown command %q; run \"cpush help\"", args[0])
	}
	err := cmd(ctx, args[1:], env{getenv: getenv, stdin: os.Stdin, stdout: stdout, stderr: stderr})
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// parseFlags parses args with fs, turning a bad flag into a usage error.
// -h prints the flags and returns flag.ErrHelp, which run treats as done.
func parseFlags(fs *flag.FlagSet, args []string, e env) error {
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitErr{code: exitUsage, err: err}
	}
	return nil
}
