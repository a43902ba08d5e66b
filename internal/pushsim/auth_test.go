package pushsim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cpush/cpush/internal/pushsim"
)

func TestServer_Authenticate(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		c := e.newClient(t, pushsim.TestAccessKeyID, "not-the-secret")
		_, err := c.Push(e.pushRequest(testAppKey))
		se := wantServerError(t, err, pushsim.CodeSignatureDoesNotMatch, http.StatusBadRequest)
		// The SDK compares our string to sign with its own: equal means a wrong secret.
		if !strings.Contains(se.Recommend(), "InvalidAccessKeySecret") {
			t.Errorf("got Recommend %q, want the SDK's InvalidAccessKeySecret hint", se.Recommend())
		}
		wantCalls(t, e.sim.Stats(), pushsim.ActionPush, pushsim.CodeSignatureDoesNotMatch, 1)
	})
	t.Run("wrong access key id", func(t *testing.T) {
		e := setup(t, pushsim.Config{})
		c := e.newClient(t, "someone-else", pushsim.TestAccessKeySecret)
		_, err := c.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeInvalidAccessKeyIDNotFound, http.StatusBadRequest)
	})
	t.Run("configured pair", func(t *testing.T) {
		e := setup(t, pushsim.Config{AccessKeyID: "id2", AccessKeySecret: "secret2"})
		_, err := e.client.Push(e.pushRequest(testAppKey))
		wantServerError(t, err, pushsim.CodeInvalidAccessKeyIDNotFound, http.StatusBadRequest)
		if _, err := e.newClient(t, "id2", "secret2").Push(e.pushRequest(testAppKey)); err != nil {
			t.Fatalf("Push with the configured pair: %v", err)
		}
	})
}

func TestServer_Authenticate_raw(t *testing.T) {
	e := setup(t, pushsim.Config{})
	id := e.createMessage(t, testAppKey)
	chunk := func() map[string]string {
		p := signedParams(pushsim.ActionContinuouslyPush)
		p["AppKey"], p["MessageId"], p["Target"], p["TargetValue"] = "23267207", id, pushsim.TargetDevice, "raw-1,raw 2,raw*3~+"
		return p
	}

	t.Run("a request signed like the SDK passes", func(t *testing.T) {
		a := e.postRaw(t, signRaw(chunk(), pushsim.TestAccessKeySecret))
		wantAnswer(t, a, "", http.StatusOK)
		wantDelivered(t, e.sim.Stats(), pushsim.TargetDevice, "raw-1,raw 2,raw*3~+", 1)
	})
	t.Run("reused nonce", func(t *testing.T) {
		p := chunk()
		p["TargetValue"] = "nonce-1"
		q := signRaw(p, pushsim.TestAccessKeySecret)
		wantAnswer(t, e.postRaw(t, q), "", http.StatusOK)
		wantAnswer(t, e.postRaw(t, q), pushsim.CodeSignatureNonceUsed, http.StatusBadRequest)
		wantDelivered(t, e.sim.Stats(), pushsim.TargetDevice, "nonce-1", 1)
	})

	tests := []struct {
		name   string
		change func(p map[string]string)
		code   string
		status int
	}{
		{"stale timestamp", func(p map[string]string) {
			p["Timestamp"] = time.Now().Add(-16 * time.Minute).UTC().Format(pushsim.TimestampLayout)
		}, pushsim.CodeInvalidTimeStampExpired, http.StatusBadRequest},
		{"future timestamp", func(p map[string]string) {
			p["Timestamp"] = time.Now().Add(16 * time.Minute).UTC().Format(pushsim.TimestampLayout)
		}, pushsim.CodeInvalidTimeStampExpired, http.StatusBadRequest},
		{"timestamp not ISO 8601", func(p map[string]string) { p["Timestamp"] = "yesterday" },
			pushsim.CodeInvalidTimeStampFormat, http.StatusBadRequest},
		{"no Signature nonce", func(p map[string]string) { delete(p, "SignatureNonce") },
			"MissingSignatureNonce", http.StatusBadRequest},
		{"no Timestamp", func(p map[string]string) { delete(p, "Timestamp") },
			"MissingTimestamp", http.StatusBadRequest},
		{"no AccessKeyId", func(p map[string]string) { delete(p, "AccessKeyId") },
			"MissingAccessKeyId", http.StatusBadRequest},
		{"SignatureMethod HMAC-SHA256", func(p map[string]string) { p["SignatureMethod"] = "HMAC-SHA256" },
			pushsim.CodeInvalidSignatureMethod, http.StatusBadRequest},
		{"SignatureVersion 2.0", func(p map[string]string) { p["SignatureVersion"] = "2.0" },
			pushsim.CodeIncompleteSignature, http.StatusBadRequest},
		{"wrong Version", func(p map[string]string) { p["Version"] = "2015-01-01" },
			pushsim.CodeInvalidAPINotFound, http.StatusNotFound},
		{"XML format", func(p map[string]string) { p["Format"] = "XML" },
			pushsim.CodeInvalidParameterFormat, http.StatusBadRequest},
		{"unknown action", func(p map[string]string) { p["Action"] = "MassPush" },
			pushsim.CodeInvalidAPINotFound, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := chunk()
			tt.change(p)
			wantAnswer(t, e.postRaw(t, signRaw(p, pushsim.TestAccessKeySecret)), tt.code, tt.status)
		})
	}

	t.Run("no Signature", func(t *testing.T) {
		wantAnswer(t, e.postRaw(t, "Action=Push&AccessKeyId="+pushsim.TestAccessKeyID), "MissingSignature", http.StatusBadRequest)
	})
	t.Run("parameter changed after signing", func(t *testing.T) {
		q := signRaw(chunk(), pushsim.TestAccessKeySecret)
		q = strings.Replace(q, "raw-1", "raw-9", 1)
		wantAnswer(t, e.postRaw(t, q), pushsim.CodeSignatureDoesNotMatch, http.StatusBadRequest)
	})
	t.Run("form body counts toward the signature", func(t *testing.T) {
		p := chunk()
		p["TargetValue"] = "form-1"
		q := signRaw(p, pushsim.TestAccessKeySecret)
		if !strings.Contains(q, "TargetValue=form-1&") {
			t.Fatalf("query %s lacks the TargetValue to move", q)
		}
		q = strings.Replace(q, "TargetValue=form-1&", "", 1)
		resp, err := http.Post(e.ts.URL+"/?"+q, "application/x-www-form-urlencoded", strings.NewReader("TargetValue=form-1"))
		if err != nil {
			t.Fatalf("POST: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got HTTP %d, want 200", resp.StatusCode)
		}
		wantDelivered(t, e.sim.Stats(), pushsim.TargetDevice, "form-1", 1)
	})
	if got := e.sim.Stats().Delivered(pushsim.TargetDevice, "raw-9"); got != 0 {
		t.Errorf("got raw-9 delivered %d times, want 0", got)
	}
}
