package jobs_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cpush/cpush/jobs"
)

// A receiver of completion webhooks checks the signature on the raw body,
// with its own URL as the jobs name it, before it trusts the summary.
func ExampleVerifyWebhook() {
	secret := []byte("the value of CPUSH_WEBHOOK_SECRET")
	const myURL = "https://hooks.example.com/cpush" // the webhook_url of the jobs
	receive := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading the body", http.StatusBadRequest)
			return
		}
		err = jobs.VerifyWebhook(secret, r.Header.Get(jobs.SignatureHeader), r.Header.Get(jobs.DeliveryHeader),
			myURL, body, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Printf("job %s ended: %s\n", r.Header.Get(jobs.JobIDHeader), body)
	}

	// What a worker sends when job j1 ends.
	body := `{"id":"j1","status":"completed"}`
	req := httptest.NewRequest(http.MethodPost, "/cpush", strings.NewReader(body))
	req.Header.Set(jobs.JobIDHeader, "j1")
	req.Header.Set(jobs.DeliveryHeader, "d-1")
	req.Header.Set(jobs.SignatureHeader, jobs.SignWebhook(secret, time.Now(), "d-1", myURL, []byte(body)))
	receive(httptest.NewRecorder(), req)
	// Output: job j1 ended: {"id":"j1","status":"completed"}
}
