package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1)
	if len(froms) < 2 {
		t.Fatalf("%d stages, want a build stage and a final one", len(froms))
	}
	if final := froms[len(froms)-1][1]; !strings.HasPrefix(final, "gcr.io/distroless/static") || !strings.HasSuffix(final, ":nonroot") {
		t.Errorf("final image %s is not distroless static nonroot", final)
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", `-ldflags="-s -w"`,
		"\nUSER 65532:65532\n", "\nEXPOSE 8080\n",
		"\nENTRYPOINT [\"/seatledger\"]\n", "\nCMD [\"serve\", \"--addr\", \"0.0.0.0:8080\"]\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}

	// What the build copies from the context must not be ignored by .dockerignore,
	// which lets through only what it names.
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, line := range strings.Split(string(ignore), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "!"); ok {
			allowed[strings.TrimSuffix(p, "/")] = true
		}
	}
	for _, c := range regexp.MustCompile(`(?m)^COPY (?:--\S+ )*(.+) \S+$`).FindAllStringSubmatch(text, -1) {
		if strings.Contains(c[0], "--from=") {
			continue
		}
		for _, src := range strings.Fields(c[1]) {
			if src = strings.TrimSuffix(src, "/"); !allowed[src] {
				t.Errorf("COPY %s: .dockerignore leaves it out of the build context", src)
			}
			if _, err := os.Stat(filepath.Join("../..", src)); err != nil {
				t.Errorf("COPY %s: %v", src, err)
			}
		}
	}
}
