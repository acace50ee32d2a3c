// Package deploy_test checks the deployment files under deploy/: the compose file, the
// Kubernetes manifests, the systemd unit and the image. No Docker engine or cluster is
// needed; where docker compose, kubectl or systemd-analyze are installed, their own
// checks run as well. No JSON schema of compose or Kubernetes is vendored, so the
// checks are structural: the ones a wrong edit would break at start-up.
package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/config"
)

const deployDir = "../../deploy"

// shutdownGrace is server.shutdown_grace's default: every stop timeout must exceed it,
// or jobs in progress are killed instead of finished.
const shutdownGrace = 30 * time.Second

// The containers listen here; the image's CMD, compose and Kubernetes must agree.
const containerPort = 8080

// readDocs decodes every YAML document of a file.
func readDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", path)
	}
	return docs
}

func m(v any) map[string]any { x, _ := v.(map[string]any); return x }
func l(v any) []any          { x, _ := v.([]any); return x }
func s(v any) string         { return fmt.Sprint(v) }

func strs(v any) []string {
	var out []string
	for _, x := range l(v) {
		out = append(out, s(x))
	}
	return out
}

// dig follows keys through nested maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		v = m(v)[k]
	}
	return v
}

// checkEnvName fails for a SEATLEDGER_ variable that sets no option: the service
// would refuse to start with "unknown setting".
func checkEnvName(t *testing.T, where, name string) {
	t.Helper()
	if !strings.HasPrefix(name, "SEATLEDGER_") || name == "SEATLEDGER_CONFIG" {
		return
	}
	if !slices.Contains(config.EnvNames(), name) {
		t.Errorf("%s: %s is not an option's variable (config.EnvNames lists them)", where, name)
	}
}

// flagValue is the value after flag in args, "" when absent.
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

func listenPort(t *testing.T, where string, args []string) int {
	t.Helper()
	addr := flagValue(args, "--addr")
	_, port, err := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	if err != nil || n == 0 {
		t.Errorf("%s: --addr %q is not HOST:PORT", where, addr)
	}
	return n
}

func TestEveryYAMLFileParses(t *testing.T) {
	n := 0
	err := filepath.WalkDir(deployDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); ext == ".yml" || ext == ".yaml" {
			readDocs(t, path)
			n++
		}
		return nil
	})
	if err != nil || n < 7 {
		t.Fatalf("%d YAML files under %s, %v", n, deployDir, err)
	}
}

// composeService is what the checks read of one service.
type composeService struct {
	name string
	raw  map[string]any
}

func (c composeService) command() []string { return strs(c.raw["command"]) }

// env reads environment as a map or as a list of KEY=VALUE.
func (c composeService) env() map[string]string {
	out := map[string]string{}
	switch e := c.raw["environment"].(type) {
	case map[string]any:
		for k, v := range e {
			out[k] = s(v)
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(s(kv), "=")
			out[k] = v
		}
	}
	return out
}

// dependsOn maps each dependency to its condition (service_started for the list form).
func (c composeService) dependsOn() map[string]string {
	out := map[string]string{}
	switch d := c.raw["depends_on"].(type) {
	case []any:
		for _, name := range d {
			out[s(name)] = "service_started"
		}
	case map[string]any:
		for name, v := range d {
			out[name] = s(dig(v, "condition"))
		}
	}
	return out
}

func TestCompose(t *testing.T) {
	path := filepath.Join(deployDir, "docker-compose.yml")
	doc := readDocs(t, path)[0]
	services := map[string]composeService{}
	for name, raw := range m(doc["services"]) {
		services[name] = composeService{name, m(raw)}
	}
	for _, want := range []string{"postgres", "sandbox", "migrate"} {
		if _, ok := services[want]; !ok {
			t.Fatalf("no service %s", want)
		}
	}
	var replicas []composeService
	for _, name := range slices.Sorted(maps.Keys(services)) {
		if c := services[name]; len(c.command()) > 0 && c.command()[0] == "serve" {
			replicas = append(replicas, c)
		}
	}
	if len(replicas) != 2 {
		t.Fatalf("%d services run serve, want 2 replicas", len(replicas))
	}

	pg := services["postgres"]
	if img := s(pg.raw["image"]); !strings.HasPrefix(img, "postgres:") {
		t.Errorf("postgres: image %q is not the official postgres image", img)
	}
	if hc := strings.Join(strs(dig(pg.raw, "healthcheck", "test")), " "); !strings.Contains(hc, "pg_isready") {
		t.Errorf("postgres: healthcheck %q does not use pg_isready", hc)
	}
	volumes := m(doc["volumes"])
	if !hasVolume(pg, volumes, "/var/lib/postgresql/data") {
		t.Errorf("postgres: no named volume on /var/lib/postgresql/data")
	}

	// Every seatledger service runs the one image built from deploy/Dockerfile.
	ours := append([]composeService{services["sandbox"], services["migrate"]}, replicas...)
	first := ours[0].raw
	for _, c := range ours {
		if s(c.raw["image"]) != s(first["image"]) || fmt.Sprint(c.raw["build"]) != fmt.Sprint(first["build"]) {
			t.Errorf("%s: image %v, build %v; %s has image %v, build %v", c.name, c.raw["image"], c.raw["build"], ours[0].name, first["image"], first["build"])
		}
	}
	build := m(first["build"])
	if dockerfile := filepath.Join(deployDir, s(build["context"]), s(build["dockerfile"])); !sameFile(dockerfile, filepath.Join(deployDir, "Dockerfile")) {
		t.Errorf("build %v does not name deploy/Dockerfile", build)
	}

	sb := services["sandbox"]
	cmd := sb.command()
	if len(cmd) < 2 || cmd[0] != "sandbox" || cmd[1] != "serve" {
		t.Errorf("sandbox: command %v is not sandbox serve", cmd)
	}
	sbDir, sbURL := flagValue(cmd, "--dir"), flagValue(cmd, "--url")
	sbPort := listenPort(t, "sandbox", cmd)
	u, err := url.Parse(sbURL)
	if err != nil || u.Scheme != "https" || u.Port() != strconv.Itoa(sbPort) {
		t.Errorf("sandbox: --url %q is not https on its --addr port %d", sbURL, sbPort)
	} else {
		if aliases := strs(dig(sb.raw, "networks", "default", "aliases")); !slices.Contains(aliases, u.Hostname()) {
			t.Errorf("sandbox: --url host %s is not one of its network aliases %v", u.Hostname(), aliases)
		}
		// The simulated cloud serves net/http/httptest's certificate.
		if h := u.Hostname(); h != "example.com" && (!strings.HasSuffix(h, ".example.com") || strings.Count(h, ".") != 2) {
			t.Errorf("sandbox: --url host %s is not one its certificate names (example.com, *.example.com)", h)
		}
	}
	if !hasVolume(sb, volumes, sbDir) {
		t.Errorf("sandbox: --dir %q is not a named volume", sbDir)
	}
	// The file name sandbox serve writes its CA certificate under.
	src, err := os.ReadFile("../../cmd/seatledger/sandbox.go")
	if err != nil || !bytes.Contains(src, []byte(`"sandbox-ca.pem"`)) {
		t.Errorf("cmd/seatledger/sandbox.go no longer writes sandbox-ca.pem: %v", err)
	}
	caFile := sbDir + "/sandbox-ca.pem"
	// The image holds no other program: the sandbox is healthy once `config check`
	// finds the CA file it writes after it starts listening.
	if hc := strs(dig(sb.raw, "healthcheck", "test")); len(hc) < 4 || !slices.Equal(hc[:4], []string{"CMD", "/seatledger", "config", "check"}) || sb.env()["SEATLEDGER_GRAPH_CA_FILE"] != caFile {
		t.Errorf("sandbox: healthcheck %v with SEATLEDGER_GRAPH_CA_FILE %q, want config check of %s", hc, sb.env()["SEATLEDGER_GRAPH_CA_FILE"], caFile)
	}

	mig := services["migrate"]
	if got := mig.command(); !slices.Equal(got, []string{"migrate", "up"}) {
		t.Errorf("migrate: command %v", got)
	}
	if got := mig.dependsOn()["postgres"]; got != "service_healthy" {
		t.Errorf("migrate: depends on postgres %q, want service_healthy", got)
	}

	hostPorts := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(services)) {
		for _, p := range strs(services[name].raw["ports"]) {
			host := hostPort(p)
			if other, dup := hostPorts[host]; dup {
				t.Errorf("host port %s published by %s and %s", host, other, name)
			}
			hostPorts[host] = name
		}
	}

	for _, r := range replicas {
		if port := listenPort(t, r.name, r.command()); port != containerPort {
			t.Errorf("%s: listens on %d, the image exposes %d", r.name, port, containerPort)
		}
		ports := strs(r.raw["ports"])
		if len(ports) != 1 || !strings.HasSuffix(ports[0], ":"+strconv.Itoa(containerPort)) {
			t.Errorf("%s: ports %v do not publish container port %d", r.name, ports, containerPort)
		}
		deps := r.dependsOn()
		if deps["migrate"] != "service_completed_successfully" || deps["postgres"] != "service_healthy" {
			t.Errorf("%s: depends_on %v, want migrate service_completed_successfully and postgres service_healthy", r.name, deps)
		}
		env := r.env()
		if env["SEATLEDGER_LOG_FORMAT"] != "json" {
			t.Errorf("%s: SEATLEDGER_LOG_FORMAT %q, want json", r.name, env["SEATLEDGER_LOG_FORMAT"])
		}
		if env["SEATLEDGER_GRAPH_CA_FILE"] != caFile || !hasVolume(r, volumes, sbDir) {
			t.Errorf("%s: graph CA file %q, want %s from the sandbox's volume", r.name, env["SEATLEDGER_GRAPH_CA_FILE"], caFile)
		}
		// graph.ca_file must exist at start-up: the sandbox is healthy once it does.
		if deps["sandbox"] != "service_healthy" {
			t.Errorf("%s: depends on sandbox %q, want service_healthy", r.name, deps["sandbox"])
		}
		for _, k := range []string{"SEATLEDGER_GRAPH_BASE_URL", "SEATLEDGER_GRAPH_AUTHORITY_HOST"} {
			if !strings.HasPrefix(env[k], sbURL+"/") {
				t.Errorf("%s: %s = %q, not under the sandbox's %s", r.name, k, env[k], sbURL)
			}
		}
		if d, err := time.ParseDuration(s(r.raw["stop_grace_period"])); err != nil || d <= shutdownGrace {
			t.Errorf("%s: stop_grace_period %v is not longer than the shutdown grace %s", r.name, r.raw["stop_grace_period"], shutdownGrace)
		}
	}

	// Names and values: the environment of each seatledger service, with the secrets
	// and the sandbox's files where the containers would find them, loads as the
	// service would load it.
	secrets := m(doc["secrets"])
	for _, c := range append(ours, services["postgres"]) {
		env := c.env()
		var environ []string
		for _, k := range slices.Sorted(maps.Keys(env)) {
			v := env[k]
			checkEnvName(t, c.name, k)
			if name, ok := strings.CutPrefix(v, "/run/secrets/"); ok {
				file := s(dig(secrets, name, "file"))
				if !slices.Contains(strs(c.raw["secrets"]), name) || file == "" {
					t.Errorf("%s: %s reads secret %s, which it is not given", c.name, k, name)
					continue
				}
				v = filepath.Join(deployDir, file)
			}
			if strings.HasPrefix(v, sbDir+"/") {
				v = filepath.Join(t.TempDir(), filepath.Base(v))
				if err := os.WriteFile(v, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			environ = append(environ, k+"="+v)
		}
		if c.name == "postgres" {
			continue
		}
		if _, err := config.Load("", environ, nil); err != nil {
			t.Errorf("%s: its environment does not load: %v", c.name, err)
		}
	}
	for name, sec := range secrets {
		if _, err := os.Stat(filepath.Join(deployDir, s(dig(sec, "file")))); err != nil {
			t.Errorf("secret %s: %v", name, err)
		}
	}

	runTool(t, deployDir, []string{"docker", "compose", "version"}, []string{"docker", "compose", "-f", "docker-compose.yml", "config", "-q"})
}

// hasVolume tells whether the service mounts a declared named volume at target.
func hasVolume(c composeService, declared map[string]any, target string) bool {
	for _, v := range strs(c.raw["volumes"]) {
		parts := strings.Split(v, ":")
		if _, named := declared[parts[0]]; named && len(parts) >= 2 && parts[1] == target {
			return true
		}
	}
	return false
}

// hostPort is the host side of a short port mapping: [IP:]HOST:CONTAINER.
func hostPort(p string) string {
	parts := strings.Split(p, ":")
	if len(parts) < 2 {
		return p
	}
	return strings.Join(parts[:len(parts)-1], ":")
}

func sameFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// runTool runs check when probe succeeds, i.e. when the tool is installed here.
func runTool(t *testing.T, dir string, probe, check []string) {
	t.Helper()
	if _, err := exec.LookPath(probe[0]); err != nil {
		t.Logf("%s not installed: %s not run", probe[0], strings.Join(check, " "))
		return
	}
	if err := exec.Command(probe[0], probe[1:]...).Run(); err != nil {
		t.Logf("%s unavailable (%v): %s not run", strings.Join(probe, " "), err, strings.Join(check, " "))
		return
	}
	cmd := exec.Command(check[0], check[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", strings.Join(check, " "), err, out)
	}
}
