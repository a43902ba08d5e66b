package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// timeFormat is how the commands print a time.
const timeFormat = "2006-01-02 15:04:05 UTC"

func runStats(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("cpush stats", flag.ContinueOnError)
	file := configFlag(fs)
	asJSON := fs.Bool("json", false, "print the statistics as one JSON object, as the stats webhook sends them")
	refresh := fs.Bool("refresh", false, "ask a worker to refresh them now and wait for it")
	timeout := fs.Duration("timeout", 2*time.Minute, "with --refresh, how long to wait")
	id, err := oneID(fs, args, e)
	if err != nil {
		return err
	}
	return withConfigClient(ctx, e, *file, func(c *jobs.Client) error {
		if *refresh {
			if err := refreshStats(ctx, e, c, id, *timeout); err != nil {
				return err
			}
		}
		st, err := c.Status(ctx, id)
		if err != nil {
			return err
		}
		d, msgs, err := c.Delivery(ctx, id)
		if err != nil {
			return err
		}
		ev := jobs.StatsEvent{Event: jobs.EventStats, ID: id, Status: st.Status, Pushed: st.Pushed, Delivery: d, Messages: msgs}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(ev)
		}
		printStatsTable(e.stdout, ev)
		return nil
	})
}

// refreshStats asks for a refresh of job id's statistics and waits until
// it is in.
func refreshStats(ctx context.Context, e env, c *jobs.Client, id string, timeout time.Duration) error {
	asked, err := c.RefreshDelivery(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "asked for the delivery statistics of job %s; waiting for a worker\n", id)
	deadline := time.Now().Add(timeout)
	for {
		d, _, err := c.Delivery(ctx, id)
		if err != nil {
			return err
		}
		if d != nil && !d.RefreshedAt.Before(asked) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("job %s: no worker refreshed its statistics within %s (is a worker running?)", id, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// printStatsTable prints the statistics per MessageId and their totals.
func printStatsTable(w io.Writer, ev jobs.StatsEvent) {
	fmt.Fprintf(w, "job %s: %s, %d pushed\n", ev.ID, ev.Status, ev.Pushed)
	d := ev.Delivery
	if d == nil {
		fmt.Fprintln(w, "no delivery statistics yet")
		return
	}
	fmt.Fprintln(w, refreshLine(d))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MessageId\taccepted\tsent\treceived\topened\tdeleted\tasked at\t")
	for _, m := range ev.Messages {
		row(tw, m.MessageID, m.Stats, m.RefreshedAt.UTC().Format(timeFormat), m.Error)
	}
	row(tw, "total", d.Totals, "", "")
	tw.Flush()
	if d.Error != "" {
		fmt.Fprintf(w, "some MessageIds got %s instead of their figures (see the README, Delivery statistics)\n", d.Error)
	}
}

func row(w io.Writer, name string, s push.Stats, at, code string) {
	if code != "" {
		at += " " + code
	}
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", name, s.Accepted, s.Sent, s.Received, s.Opened, s.Deleted, at)
}

// refreshLine says when the figures are from and when the next are due.
func refreshLine(d *jobs.Delivery) string {
	s := "not fully refreshed yet"
	if !d.RefreshedAt.IsZero() {
		s = fmt.Sprintf("as of %s (refreshed %d times)", d.RefreshedAt.UTC().Format(timeFormat), d.Refreshes)
	}
	if !d.NextRefreshAt.IsZero() {
		s += "; next at " + d.NextRefreshAt.UTC().Format(timeFormat)
	}
	return s
}

// printDelivery adds the delivery totals to `cpush status`.
func printDelivery(w io.Writer, st *jobs.Status) {
	d := st.Delivery
	if d == nil {
		if st.Final() && len(st.MessageIDs) > 0 {
			fmt.Fprintln(w, "  delivery: not asked yet")
		}
		return
	}
	t := d.Totals
	fmt.Fprintf(w, "  delivery: %s\n", refreshLine(d))
	if d.RefreshedAt.IsZero() && t == (push.Stats{}) {
		return
	}
	fmt.Fprintf(w, "    sent %d, received %d (%s of sent), opened %d (%s of received), deleted %d (accepted %d)\n",
		t.Sent, t.Received, percent(t.Received, t.Sent), t.Opened, percent(t.Opened, t.Received), t.Deleted, t.Accepted)
	if d.Error != "" {
		fmt.Fprintf(w, "    some MessageIds got %s instead of figures (cpush stats %s)\n", d.Error, st.ID)
	}
}

func percent(n, of int64) string {
	if of <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}
