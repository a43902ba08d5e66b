package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cpush/cpush/config"
	"github.com/cpush/cpush/jobs"
)

func printStatus(w io.Writer, st *jobs.Status, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(st.Summary())
	}
	fmt.Fprintf(w, "job %s: %s\n", st.ID, st.Status)
	fmt.Fprintf(w, "  targets:  %d given, %d unique, %d duplicates removed\n", st.Total, st.Unique, st.Duplicates)
	fmt.Fprintf(w, "  pushed:   %d\n", st.Pushed)
	fmt.Fprintf(w, "  failed:   %d%s\n", st.FailedTotal, codes(st.Failed))
	fmt.Fprintf(w, "  cancelled: %d\n", st.Cancelled)
	if st.PossibleDuplicates > 0 {
		fmt.Fprintf(w, "  possible duplicates: %d\n", st.PossibleDuplicates)
	}
	fmt.Fprintf(w, "  message ids: %s\n", strings.Join(st.MessageIDs, ", "))
	printDelivery(w, st)
	return nil
}

func codes(failed map[string]int) string {
	if len(failed) == 0 {
		return ""
	}
	keys := make([]string, 0, len(failed))
	for k := range failed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, failed[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// withClient connects to cfg's Redis and runs fn with a jobs client.
func withClient(ctx context.Context, cfg *config.Config, fn func(*jobs.Client) error) error {
	rdb, err := connectRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	client := jobs.NewClient(rdb, jobsOptions(cfg))
	defer client.Close()
	return fn(client)
}

// withConfigClient loads the config from file and runs fn with a jobs
// client.
func withConfigClient(ctx context.Context, e env, file string, fn func(*jobs.Client) error) error {
	cfg, err := loadConfig(e, file, false)
	if err != nil {
		return err
	}
	return withClient(ctx, &cfg, fn)
}

// oneID parses flags and the one job ID argument, flags before or after it.
func oneID(fs *flag.FlagSet, args []string, e env) (string, error) {
	var ids []string
	for {
		if err := parseFlags(fs, args, e); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(ids) != 1 {
		return "", usageErr("%s takes one job ID", fs.Name())
	}
	return ids[0], nil
}

func runStatus(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush status", flag.ContinueOnError)
	file := configFlag(fs)
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	id, err := oneID(fs, args, e)
	if err != nil {
		return err
	}
	return withConfigClient(ctx, e, *file, func(c *jobs.Client) error {
		st, err := c.Status(ctx, id)
		if err != nil {
			return err
		}
		return printStatus(e.stdout, st, *asJSON)
	})
}

func runCancel(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush cancel", flag.ContinueOnError)
	file := configFlag(fs)
	id, err := oneID(fs, args, e)
	if err != nil {
		return err
	}
	return withConfigClient(ctx, e, *file, func(c *jobs.Client) error {
		if err := c.Cancel(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "cancel asked for job %s: chunks not yet pushed will be cancelled\n", id)
		return nil
	})
}

// follow polls a job until it ends, showing progress: a bar on a terminal,
// a line every few seconds otherwise. The exit code says how it ended.
func follow(ctx context.Context, e env, c *jobs.Client, id string, asJSON bool) error {
	tty := isTerminal(e.stderr)
	var last time.Time
	for {
		st, err := c.Status(ctx, id)
		if err != nil {
			return err
		}
		if st.Final() || tty || time.Since(last) >= 2*time.Second {
			progress(e.stderr, st, tty)
			last = time.Now()
		}
		if st.Final() {
			if err := printStatus(e.stdout, st, asJSON); err != nil {
				return err
			}
			return finalErr(st)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped following job %s (it goes on; see cpush status %s): %w", id, id, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func finalErr(st *jobs.Status) error {
	switch st.Status {
	case jobs.StatusFailed:
		return &exitErr{code: exitFailed, err: fmt.Errorf("job %s failed: %d targets failed%s", st.ID, st.FailedTotal, codes(st.Failed))}
	case jobs.StatusCancelled:
		return &exitErr{code: exitCancelled, err: fmt.Errorf("job %s was cancelled: %d targets not pushed", st.ID, st.Cancelled)}
	}
	return nil
}

func progress(w io.Writer, st *jobs.Status, tty bool) {
	done := st.Pushed + st.FailedTotal + st.Cancelled
	pct := 100.0
	if st.Unique > 0 {
		pct = 100 * float64(done) / float64(st.Unique)
	}
	if !tty {
		fmt.Fprintf(w, "job %s: %s %d/%d (%.1f%%) pushed %d failed %d cancelled %d\n",
			st.ID, st.Status, done, st.Unique, pct, st.Pushed, st.FailedTotal, st.Cancelled)
		return
	}
	const width = 30
	n := int(pct / 100 * width)
	fmt.Fprintf(w, "\r[%s%s] %5.1f%% %d/%d pushed %d failed %d %-10s", strings.Repeat("#", n), strings.Repeat(".", width-n),
		pct, done, st.Unique, st.Pushed, st.FailedTotal, st.Status)
	if st.Final() {
		fmt.Fprintln(w)
	}
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
