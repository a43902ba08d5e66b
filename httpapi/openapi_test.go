package httpapi_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cpush/cpush/httpapi"
)

// openAPI is what the test reads of docs/openapi.yaml.
type openAPI struct {
	Paths      map[string]pathItem `yaml:"paths"`
	Components struct {
		Schemas struct {
			Error struct {
				Properties struct {
					Code struct {
						Enum        []string `yaml:"enum"`
						Description string   `yaml:"description"`
					} `yaml:"code"`
				} `yaml:"properties"`
			} `yaml:"Error"`
		} `yaml:"schemas"`
	} `yaml:"components"`
	Webhooks map[string]any `yaml:"webhooks"`
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

type operation struct {
	Responses map[string]any `yaml:"responses"`
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
		{"/v1/jobs/{id}", "get", []string{"200", "400", "404"}},
		{"/v1/jobs/{id}", "delete", []string{"202", "400", "404", "409"}},
		{"/v1/jobs/{id}/failed", "get", []string{"200", "400", "404"}},
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
	if _, ok := doc.Webhooks["jobFinished"]; !ok {
		t.Errorf("docs/openapi.yaml has no jobFinished webhook")
	}
	code := doc.Components.Schemas.Error.Properties.Code
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
