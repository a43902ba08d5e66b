package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cpush/cpush/httpapi"
)

// TestServer_CreateStrictKeys: encoding/json matches keys without regard
// to case and keeps the last of duplicate keys, so a job could read one
// way to a proxy or log that takes the first key (or the exact name) and
// another way to cpush. Such bodies are refused, naming the key.
func TestServer_CreateStrictKeys(t *testing.T) {
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}, Webhooks: true}})
	d := dev("k")
	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"duplicate key", `{"app_key":1,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b"},"app_key":23267207}`, "app_key"},
		{"duplicate target type", `{"target":"ALIAS","app_key":23267207,"targets":["` + d + `"],"message":{"title":"t","body":"b"},"target":"DEVICE"}`, "target"},
		{"duplicate key in the message", `{"app_key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b","body":"c"}}`, "message.body"},
		{"duplicate key in extra", `{"app_key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b","extra":{"AndroidMusic":"a","AndroidMusic":"b"}}}`, "message.extra.AndroidMusic"},
		{"key in another case", `{"App_Key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b"}}`, "App_Key"},
		{"key in another case in the message", `{"app_key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","Body":"b"}}`, "message.Body"},
		{"key in another case in ios", `{"app_key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b","ios":{"Badge":1}}}`, "message.ios.Badge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.postJSON(tt.body), http.StatusBadRequest, httpapi.CodeInvalidField, tt.wantField)
		})
		t.Run(tt.name+", streamed", func(t *testing.T) {
			header := strings.Replace(tt.body, `"targets":["`+d+`"],`, "", 1)
			wantError(t, e.postStream(header, d), http.StatusBadRequest, httpapi.CodeInvalidField, tt.wantField)
		})
	}
	t.Run("extra keys are the Push API's, case and all", func(t *testing.T) {
		body := `{"app_key":23267207,"target":"DEVICE","targets":["` + d + `"],"message":{"title":"t","body":"b","extra":{"AndroidMusic":"a"},"android":{"ext_parameters":{"K":"1","k":"2"}}}}`
		decode[httpapi.Created](t, e.postJSON(body), http.StatusAccepted)
	})
}
