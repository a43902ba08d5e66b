package pushsim_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_ContinuouslyPush_concurrent(t *testing.T) {
	const workers, calls, width = 8, 20, 100
	e := setup(t, pushsim.Config{MessageLimit: workers * calls * width, NoQuotas: true})
	id := e.createMessage(t, testAppKey)
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		// One SDK client per goroutine: the SDK writes to its client and
		// transport on every call, so a shared client races.
		c := e.newClient(t, pushsim.TestAccessKeyID, pushsim.TestAccessKeySecret)
		wg.Go(func() {
			for i := range calls {
				_, err := e.continuousWith(c, id, values(fmt.Sprintf("w%d-c%d", w, i), width))
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("ContinuouslyPush: %v", err)
	}
	st := e.sim.Stats()
	if got, want := len(st.Deliveries), workers*calls*width; got != want {
		t.Errorf("got %d targets delivered, want %d", got, want)
	}
	if got, want := st.PerMessage[id].Used, workers*calls*width; got != want {
		t.Errorf("got Used %d, want %d", got, want)
	}
	if st.Duplicates != 0 {
		t.Errorf("got %d duplicates, want 0", st.Duplicates)
	}
	wantCalls(t, st, pushsim.ActionContinuouslyPush, pushsim.StatOK, workers*calls)
}
