package httpapi_test

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cpush/cpush/httpapi"
	"github.com/cpush/cpush/jobs"
	"github.com/cpush/cpush/push"
)

// openAPI is what the test reads of docs/openapi.yaml.
type openAPI struct {
	Paths      map[string]pathItem `yaml:"paths"`
	Components struct {
		Schemas map[string]schema `yaml:"schemas"`
	} `yaml:"components"`
	Webhooks map[string]any `yaml:"webhooks"`
}

// schema is what the test reads of a schema.
type schema struct {
	Ref           string            `yaml:"$ref"`
	Properties    map[string]schema `yaml:"properties"`
	Required      []string          `yaml:"required"`
	Enum          []string          `yaml:"enum"`
	Description   string            `yaml:"description"`
	Items         *schema           `yaml:"items"`
	ContentSchema *schema           `yaml:"contentSchema"`
}

// pathItem is a path's operations by method.
type pathItem struct {
	Get    *operation `yaml:"get"`
	Post   *operation `yaml:"post"`
	Delete *operation `yaml:"delete"`
}

func (p pathItem) op(method string) *operation {
	return map[string]*operation{"get": p.Get, "post": p.Post, "delete": p.Delete}[method]
}

// methods are the methods p documents, upper-case and sorted.
func (p pathItem) methods() []string {
	var out []string
	for _, m := range []string{"delete", "get", "post"} {
		if p.op(m) != nil {
			out = append(out, strings.ToUpper(m))
		}
	}
	return out
}

type operation struct {
	Responses map[string]response `yaml:"responses"`
}

type response struct {
	Content map[string]struct {
		Schema schema `yaml:"schema"`
	} `yaml:"content"`
}

func readOpenAPI(t *testing.T) openAPI {
	t.Helper()
	raw, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return doc
}

// TestOpenAPI_Document checks that docs/openapi.yaml covers every
// endpoint, the statuses each can answer, and every error code.
func TestOpenAPI_Document(t *testing.T) {
	doc := readOpenAPI(t)
	always := []string{"401", "403", "405", "429", "500"}
	tests := []struct {
		path, method string
		statuses     []string
	}{
		{"/v1/jobs", "post", []string{"202", "400", "408", "409", "413", "415"}},
		{"/v1/jobs", "get", []string{"200", "400"}},
		{"/v1/jobs:batch", "post", []string{"200", "400", "413", "415"}},
		{"/v1/jobs/{id}", "get", []string{"200", "400", "404"}},
		{"/v1/jobs/{id}", "delete", []string{"202", "400", "404", "409"}},
		{"/v1/jobs/{id}/failed", "get", []string{"200", "400", "404"}},
		{"/jobs/{id}", "get", []string{"200", "404"}},
		{"/jobs/{id}/cancel", "post", []string{"303", "404"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			op := doc.Paths[tt.path].op(tt.method)
			if op == nil {
				t.Fatalf("docs/openapi.yaml has no %s %s", tt.method, tt.path)
			}
			for _, status := range append(tt.statuses, always...) {
				if _, ok := op.Responses[status]; !ok {
					t.Errorf("%s %s lacks response %s", tt.method, tt.path, status)
				}
			}
		})
	}
	if doc.Paths["/jobs"].Get == nil {
		t.Errorf("docs/openapi.yaml has no get /jobs")
	}
	for _, hook := range []string{"jobFinished", "jobStats"} {
		if _, ok := doc.Webhooks[hook]; !ok {
			t.Errorf("docs/openapi.yaml has no %s webhook", hook)
		}
	}
	code := doc.Components.Schemas["Error"].Properties["code"]
	got, want := slices.Sorted(slices.Values(code.Enum)), slices.Sorted(maps.Keys(httpapi.CodeStatus))
	if !slices.Equal(got, want) {
		t.Errorf("Error.code enum = %v, want %v", got, want)
	}
	desc := strings.Join(strings.Fields(code.Description), " ")
	for c, status := range httpapi.CodeStatus {
		if want := fmt.Sprintf("%s (%d)", c, status); !strings.Contains(desc, want) {
			t.Errorf("Error.code's description lacks %q", want)
		}
	}
}

// TestOpenAPI_Schemas checks that the document's schemas have the JSON
// fields of the Go types the server reads and writes, and that an answer's
// schema requires exactly the fields the server always writes. It also
// checks that the failed-target listing is NDJSON of FailedTarget lines.
func TestOpenAPI_Schemas(t *testing.T) {
	doc := readOpenAPI(t)
	tests := []struct {
		name   string
		typ    reflect.Type
		answer bool // written by the server: check required too
	}{
		{"Job", reflect.TypeFor[jobs.Job](), false},
		{"Message", reflect.TypeFor[push.Message](), false},
		{"Created", reflect.TypeFor[httpapi.Created](), true},
		{"Plan", reflect.TypeFor[jobs.Plan](), true},
		{"Status", reflect.TypeFor[jobs.Status](), true},
		{"Summary", reflect.TypeFor[jobs.Summary](), true},
		{"Delivery", reflect.TypeFor[jobs.Delivery](), true},
		{"DeliveryCounts", reflect.TypeFor[push.Stats](), true},
		{"MessageDelivery", reflect.TypeFor[jobs.MessageDelivery](), true},
		{"StatsEvent", reflect.TypeFor[jobs.StatsEvent](), true},
		{"Page", reflect.TypeFor[jobs.Page](), true},
		{"FailedTarget", reflect.TypeFor[jobs.FailedTarget](), true},
		{"Error", reflect.TypeFor[httpapi.Error](), true},
		{"BatchCreated", reflect.TypeFor[httpapi.BatchCreated](), true},
		{"BatchResult", reflect.TypeFor[httpapi.BatchResult](), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := doc.Components.Schemas[tt.name]
			if !ok {
				t.Fatalf("docs/openapi.yaml has no schema %s", tt.name)
			}
			names, always := jsonFields(tt.typ)
			if got := slices.Sorted(maps.Keys(s.Properties)); !slices.Equal(got, names) {
				t.Errorf("%s's properties = %v, want the JSON fields of %s: %v", tt.name, got, tt.typ, names)
			}
			if got := slices.Sorted(slices.Values(s.Required)); tt.answer && !slices.Equal(got, always) {
				t.Errorf("%s requires %v, want the fields %s always writes: %v", tt.name, got, tt.typ, always)
			}
		})
	}
	t.Run("failed targets", func(t *testing.T) {
		content, ok := doc.Paths["/v1/jobs/{id}/failed"].Get.Responses["200"].Content[httpapi.MediaNDJSON]
		lines := content.Schema.ContentSchema
		if !ok || lines == nil || lines.Items == nil || lines.Items.Ref != "#/components/schemas/FailedTarget" {
			t.Errorf("GET /v1/jobs/{id}/failed 200 is not %s whose contentSchema is an array of FailedTarget", httpapi.MediaNDJSON)
		}
	})
}

// jsonFields returns the sorted JSON names of t's fields, and those that
// are always written (neither omitempty nor omitzero).
func jsonFields(t reflect.Type) (names, always []string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	slices.Sort(names)
	slices.Sort(always)
	return names, always
}

// TestOpenAPI_Methods checks that the server takes on each documented path
// the methods the document gives it, and no other: its 405 names them in
// Allow. Prism answers a method the document lacks itself, so this is
// where the server's 405 is checked.
func TestOpenAPI_Methods(t *testing.T) {
	doc := readOpenAPI(t)
	e := setup(t, options{api: httpapi.Options{Tokens: []string{token}}})
	for path, item := range doc.Paths {
		t.Run(path, func(t *testing.T) {
			resp := e.do(http.MethodPatch, strings.ReplaceAll(path, "{id}", "some-job"), "", nil)
			allow := strings.Split(resp.Header.Get("Allow"), ", ")
			allow = slices.DeleteFunc(allow, func(m string) bool { return m == http.MethodHead }) // Go serves HEAD with GET
			slices.Sort(allow)
			if resp.StatusCode != http.StatusMethodNotAllowed || !slices.Equal(allow, item.methods()) {
				t.Errorf("PATCH %s = %d with Allow %v, want 405 with the documented %v", path, resp.StatusCode, allow, item.methods())
			}
			if strings.HasPrefix(path, "/v1/") {
				wantError(t, resp, http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed, "")
			}
		})
	}
}
