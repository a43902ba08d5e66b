package pushsim_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the simulator independent of the code it tests: no
// file of the package, tests included, imports a cpush package, so its
// rules come from the documentation and not from the adapter.
func TestImports(t *testing.T) {
	const self = "github.com/cpush/cpush/internal/pushsim"
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imports := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
		for _, path := range imports {
			if strings.HasPrefix(path, "github.com/cpush/cpush/") && path != self {
				t.Errorf("pushsim imports %s; it may import no cpush package", path)
			}
		}
	}
}
