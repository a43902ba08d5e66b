package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/cpush/cpush/internal/redistest"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// exampleRedis stands in for the producer's own client, e.g.
// redis.NewClient(&redis.Options{Addr: "redis:6379"}).
// Where no real Redis answers it is an in-process miniredis, as in the
// tests.
func exampleRedis() redis.UniversalClient {
	if !redistest.Real() {
		m, err := miniredis.Run()
		if err != nil {
			panic(err)
		}
		m.ClockTTL(true)
		return redis.NewClient(&redis.Options{Addr: m.Addr()})
	}
	opt, _ := redis.ParseURL(redistest.URL())
	return redis.NewClient(opt)
}

func Example() {
	rdb := exampleRedis()
	defer rdb.Close()
	client := jobs.NewClient(rdb, jobs.Options{Prefix: "cpush-example"})
	defer client.Close()

	job := jobs.Job{
		AppKey:  23267207,
		Target:  push.TargetDevice,
		Targets: []string{"a692961a92534047ad3625aa7c1e0d4b", "b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6", "a692961a92534047ad3625aa7c1e0d4b"},
		Message: &push.Message{Title: "Flash sale", Body: "Everything half price until midnight"},
	}
	plan, err := client.Plan(job) // what Enqueue would do, writing nothing
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d targets, %d unique, %d calls, %d MessageId\n", plan.Total, plan.Unique, plan.Chunks, plan.MessageIDs)
	// Output: 3 targets, 2 unique, 1 calls, 1 MessageId
}

func ExampleClient_Enqueue_validation() {
	client := jobs.NewClient(exampleRedis(), jobs.Options{Prefix: "cpush-example"})
	defer client.Close()
	_, err := client.Enqueue(context.Background(), jobs.Job{
		AppKey: 23267207, Target: "TAG", Targets: []string{"vip"},
		Message: &push.Message{Body: "hi"},
	})
	var fe *jobs.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, "-", fe.Rule)
	}
	// Output: target - ContinuouslyPush takes only DEVICE, ACCOUNT and ALIAS, not "TAG"
}

func ExampleClient_EnqueueMany() {
	rdb := exampleRedis()
	defer rdb.Close()
	client := jobs.NewClient(rdb, jobs.Options{Prefix: "cpush-example"})
	defer client.Close()

	// Small jobs, each checked on its own: a refused one stops no other.
	results, err := client.EnqueueMany(context.Background(), []jobs.Job{
		{AppKey: 23267207, Target: push.TargetAccount, Targets: []string{"alice", "bob"},
			Message: &push.Message{Title: "New follower", Body: "carol follows you"}},
		{AppKey: 23267207, Target: push.TargetAccount, Targets: []string{"dave,erin"},
			Message: &push.Message{Title: "Order shipped", Body: "It is on its way"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results {
		var fe *jobs.FieldError
		switch {
		case errors.As(r.Err, &fe):
			fmt.Printf("job %d refused: %s\n", i, fe.Field)
		case r.Err != nil:
			fmt.Printf("job %d: %v\n", i, r.Err)
		default:
			fmt.Printf("job %d enqueued on the %s path\n", i, r.Plan.Path)
		}
	}
	// Output:
	// job 0 enqueued on the direct path
	// job 1 refused: targets[0]
}

// A producer asks for a job's delivery statistics now and waits until a
// worker has them (workers also ask by themselves after the job ends).
func ExampleClient_RefreshDelivery() {
	ctx := context.Background()
	client := jobs.NewClient(exampleRedis(), jobs.Options{Prefix: "cpush-example"})
	defer client.Close()
	asked, err := client.RefreshDelivery(ctx, "flash-sale-2026-11-28")
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		d, perMessage, err := client.Delivery(ctx, "flash-sale-2026-11-28")
		if err != nil {
			fmt.Println(err)
			return
		}
		if d != nil && !d.RefreshedAt.Before(asked) {
			fmt.Printf("sent %d, received %d, opened %d over %d MessageIds\n",
				d.Totals.Sent, d.Totals.Received, d.Totals.Opened, len(perMessage))
			return
		}
		time.Sleep(time.Second)
	}
}
