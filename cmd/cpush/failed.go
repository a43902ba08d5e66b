package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/cpush/cpush/jobs"
)

// runFailed prints a job's failed targets: one per line, ready for
// `send --targets-file`, or with --json one {"target","code"} object a line.
func runFailed(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush failed", flag.ContinueOnError)
	file := configFlag(fs)
	asJSON := fs.Bool("json", false, `print {"target","code"} objects, one a line`)
	code := fs.String("code", "", "only the targets that failed with this `code`")
	id, err := oneID(fs, args, e)
	if err != nil {
		return err
	}
	return withConfigClient(ctx, e, *file, func(c *jobs.Client) error {
		w := bufio.NewWriter(e.stdout)
		enc := json.NewEncoder(w)
		err := c.Failed(ctx, id, func(f jobs.FailedTarget) error {
			switch {
			case *code != "" && f.Code != *code:
				return nil
			case *asJSON:
				return enc.Encode(f)
			}
			_, err := fmt.Fprintln(w, f.Target)
			return err
		})
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		return err
	})
}
