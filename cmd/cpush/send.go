package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// sendFlags are the flags of `cpush send`.
type sendFlags struct {
	config, id, target, targetsFile, priority, at string
	appKey                                        int64
	messageID, messageCreated                     string
	msg                                           push.Message
	dryRun, wait, json                            bool
	storeOffline                                  string
}

func (f *sendFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "YAML config `file` (the environment wins over it)")
	fs.Int64Var(&f.appKey, "app-key", 0, "the Mobile Push AppKey (required)")
	fs.StringVar(&f.target, "target", "", "DEVICE, ACCOUNT or ALIAS (required)")
	fs.StringVar(&f.targetsFile, "targets-file", "", "`file` of targets, one per line; - reads standard input (required)")
	fs.StringVar(&f.msg.Title, "title", "", "the message title")
	fs.StringVar(&f.msg.Body, "body", "", "the message body (content mode)")
	fs.StringVar(&f.msg.PushType, "push-type", "", "MESSAGE or NOTICE (default NOTICE)")
	fs.StringVar(&f.msg.DeviceType, "device-type", "", "iOS, ANDROID, HARMONY or ALL (default ALL)")
	fs.StringVar(&f.msg.JobKey, "job-key", "", "the service's JobKey for its receipt logs, at most 32 of A-Z a-z 0-9 _ - (default: from the job ID)")
	fs.StringVar(&f.storeOffline, "store-offline", "", "true or false: keep the message for offline devices")
	fs.StringVar(&f.msg.IOS.ApnsEnv, "ios-apns-env", "", "DEV or PRODUCT")
	fs.Func("ios-sound", "the iOS sound (iOSMusic); \"\" makes a silent notification", func(v string) error {
		f.msg.IOS.Sound = &v
		return nil
	})
	fs.StringVar(&f.msg.ExpireAfter, "expire-after", "", "offline delivery stops this long after each Push call, e.g. 6h (1m to 72h)")
	fs.StringVar(&f.msg.Android.OpenType, "android-open-type", "", "APPLICATION, ACTIVITY, URL or NONE")
	fs.StringVar(&f.msg.Android.Activity, "android-activity", "", "the Android activity to open")
	fs.StringVar(&f.msg.Android.OpenURL, "android-open-url", "", "the URL to open")
	fs.StringVar(&f.msg.Android.NotificationChannel, "android-channel", "", "the Android notification channel")
	fs.StringVar(&f.messageID, "message-id", "", "an existing MessageId from Push with Target=TBD (message-id mode)")
	fs.StringVar(&f.messageCreated, "message-created", "", "when --message-id was created, RFC 3339 (default now)")
	fs.StringVar(&f.id, "id", "", "the job ID, an idempotency key (default: generated)")
	fs.StringVar(&f.priority, "priority", "", "high, default or low")
	fs.StringVar(&f.at, "at", "", "start `time`, RFC 3339 (default now)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan and enqueue nothing")
	fs.BoolVar(&f.wait, "wait", false, "follow the job to its end; exit 0 if it completed, 3 if it failed, 4 if cancelled")
	fs.BoolVar(&f.json, "json", false, "print the result as one JSON object")
}

// job builds the job from the flags and the targets in r.
func (f *sendFlags) job(stdin io.Reader) (jobs.Job, error) {
	j := jobs.Job{ID: f.id, AppKey: f.appKey, Target: strings.ToUpper(f.target), Priority: f.priority}
	var err error
	if j.StartAt, err = parseTime("--at", f.at); err != nil {
		return j, err
	}
	if err := f.content(&j); err != nil {
		return j, err
	}
	if j.Targets, err = readTargets(f.targetsFile, stdin); err != nil {
		return j, err
	}
	if err := j.Validate(); err != nil {
		return j, usageErr("%w", err)
	}
	return j, nil
}

func (f *sendFlags) content(j *jobs.Job) error {
	hasContent := f.msg.Body != "" || f.msg.Title != ""
	switch {
	case f.messageID != "" && hasContent:
		return usageErr("--message-id cannot be used with --title or --body: give the content or an existing MessageId")
	case f.messageID != "":
		j.MessageID = f.messageID
		var err error
		j.MessageCreatedAt, err = parseTime("--message-created", f.messageCreated)
		return err
	case f.messageCreated != "":
		return usageErr("--message-created applies only with --message-id")
	}
	msg := f.msg
	if f.storeOffline != "" {
		b := f.storeOffline == "true"
		if !b && f.storeOffline != "false" {
			return usageErr("--store-offline must be true or false, not %q", f.storeOffline)
		}
		msg.StoreOffline = &b
	}
	j.Message = &msg
	return nil
}

func parseTime(flagName, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, usageErr("%s must be an RFC 3339 time such as 2026-11-28T09:00:00+08:00, not %q", flagName, v)
	}
	return t, nil
}

// readTargets reads one target per line; blank lines are skipped, spaces
// around a value trimmed.
func readTargets(file string, stdin io.Reader) ([]string, error) {
	if file == "" {
		return nil, usageErr("--targets-file is required (one target per line; - reads standard input)")
	}
	r := stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, usageErr("--targets-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if v := strings.TrimSpace(sc.Text()); v != "" {
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	return out, nil
}

func runSend(ctx context.Context, args []string, e env) error {
	var f sendFlags
	fs := flag.NewFlagSet("cpush send", flag.ContinueOnError)
	f.define(fs)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(e, f.config, false)
	if err != nil {
		return err
	}
	job, err := f.job(e.stdin)
	if err != nil {
		return err
	}
	if f.dryRun {
		return printPlan(e, &f, job, jobsOptions(&cfg))
	}
	return withClient(ctx, &cfg, func(client *jobs.Client) error {
		plan, err := client.Enqueue(ctx, job)
		if err != nil {
			return err
		}
		if !f.wait {
			return printEnqueued(e, &f, plan)
		}
		return follow(ctx, e, client, plan.ID, f.json)
	})
}

func printEnqueued(e env, f *sendFlags, plan jobs.Plan) error {
	if f.json {
		return json.NewEncoder(e.stdout).Encode(plan)
	}
	fmt.Fprintf(e.stdout, "enqueued job %s: %d unique targets in %d calls\n", plan.ID, plan.Unique, plan.Chunks)
	return nil
}

func printPlan(e env, f *sendFlags, job jobs.Job, opts jobs.Options) error {
	plan, err := jobs.PlanJob(job, opts)
	if err != nil {
		return usageErr("%w", err)
	}
	if f.json {
		return json.NewEncoder(e.stdout).Encode(plan)
	}
	w := e.stdout
	fmt.Fprintf(w, "dry run: nothing enqueued\n")
	fmt.Fprintf(w, "targets:      %d given, %d unique, %d duplicates removed\n", plan.Total, plan.Unique, plan.Duplicates)
	if plan.Path == jobs.PathDirect {
		fmt.Fprintf(w, "calls:        1 Push call with the %d targets (the direct path: no stored message to complete)\n", plan.Unique)
		return nil
	}
	fmt.Fprintf(w, "calls:        %d ContinuouslyPush calls of at most %d targets\n", plan.Chunks, opts.ValuesPerCall)
	if job.MessageID != "" {
		fmt.Fprintf(w, "message ids:  1 (%s)", job.MessageID)
		if plan.OverLimit > 0 {
			fmt.Fprintf(w, "; %d targets over its limit of %d %s will fail", plan.OverLimit, opts.Limits.Limit, opts.Limits.Unit)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "message ids:  %d (at most %d %s each)\n", plan.MessageIDs, opts.Limits.Limit, opts.Limits.Unit)
	}
	fmt.Fprintf(w, "estimated:    %s at %d calls/s\n", plan.Estimated.Round(time.Millisecond), opts.Rate)
	return nil
}
