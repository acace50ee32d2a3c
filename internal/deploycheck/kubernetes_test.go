package deploy_test

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/config"
)

var kubeDir = filepath.Join(deployDir, "kubernetes")

// kubeObjects reads every manifest of the folder by kind, checking what every object
// needs; kustomization.yaml is returned apart.
func kubeObjects(t *testing.T) (map[string][]map[string]any, map[string]any) {
	t.Helper()
	entries, err := os.ReadDir(kubeDir)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]map[string]any{}
	var kustomization map[string]any
	for _, e := range entries {
		if e.IsDir() || (filepath.Ext(e.Name()) != ".yaml" && filepath.Ext(e.Name()) != ".yml") {
			continue
		}
		for _, doc := range readDocs(t, filepath.Join(kubeDir, e.Name())) {
			if e.Name() == "kustomization.yaml" {
				kustomization = doc
				continue
			}
			if s(doc["apiVersion"]) == "" || s(doc["kind"]) == "" || dig(doc, "metadata", "name") == nil {
				t.Errorf("%s: apiVersion, kind and metadata.name are needed; got %v, %v, %v", e.Name(), doc["apiVersion"], doc["kind"], dig(doc, "metadata", "name"))
			}
			if ns := dig(doc, "metadata", "namespace"); ns != nil {
				t.Errorf("%s: namespace %v: the manifests take the namespace they are applied in", e.Name(), ns)
			}
			byKind[s(doc["kind"])] = append(byKind[s(doc["kind"])], doc)
		}
	}
	if kustomization == nil {
		t.Fatal("no kustomization.yaml")
	}
	return byKind, kustomization
}

func one(t *testing.T, byKind map[string][]map[string]any, kind string) map[string]any {
	t.Helper()
	if len(byKind[kind]) != 1 {
		t.Fatalf("%d objects of kind %s, want 1", len(byKind[kind]), kind)
	}
	return byKind[kind][0]
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	_, k := kubeObjects(t)
	listed := strs(k["resources"])
	entries, err := os.ReadDir(kubeDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "kustomization.yaml" {
			files = append(files, e.Name())
		}
	}
	slices.Sort(listed)
	if !slices.Equal(listed, files) {
		t.Errorf("kustomization resources %v, folder holds %v", listed, files)
	}
	runTool(t, kubeDir, []string{"kubectl", "version", "--client"}, []string{"kubectl", "kustomize", "."})
}

// podChecks are the checks every seatledger pod template gets.
func podChecks(t *testing.T, where string, pod map[string]any, cm, secret map[string]any) {
	t.Helper()
	spec := m(pod["spec"])
	if dig(spec, "securityContext", "runAsNonRoot") != true {
		t.Errorf("%s: securityContext.runAsNonRoot is not true", where)
	}
	mounts := map[string]string{} // volume name -> mount path
	containers := l(spec["containers"])
	if len(containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", where, len(containers))
	}
	c := m(containers[0])
	sc := m(c["securityContext"])
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false || !slices.Contains(strs(dig(sc, "capabilities", "drop")), "ALL") {
		t.Errorf("%s: container securityContext %v: want readOnlyRootFilesystem, no privilege escalation, capabilities dropped", where, sc)
	}
	for _, k := range []string{"cpu", "memory"} {
		if dig(c, "resources", "requests", k) == nil {
			t.Errorf("%s: no %s request", where, k)
		}
	}
	if dig(c, "resources", "limits", "memory") == nil {
		t.Errorf("%s: no memory limit", where)
	}
	for _, vm := range l(c["volumeMounts"]) {
		mounts[s(dig(vm, "name"))] = s(dig(vm, "mountPath"))
	}
	var configPath, secretPath string
	var secretItems []string
	for _, v := range l(spec["volumes"]) {
		switch {
		case dig(v, "configMap", "name") == dig(cm, "metadata", "name"):
			configPath = mounts[s(dig(v, "name"))]
		case dig(v, "secret", "secretName") == dig(secret, "metadata", "name"):
			secretPath = mounts[s(dig(v, "name"))]
			for _, it := range l(dig(v, "secret", "items")) {
				secretItems = append(secretItems, s(dig(it, "path")))
			}
		}
	}
	secretKeys := slices.Sorted(maps.Keys(m(secret["stringData"])))
	if secretItems == nil {
		secretItems = secretKeys
	}
	env := map[string]string{}
	for _, e := range l(c["env"]) {
		name := s(dig(e, "name"))
		env[name] = s(dig(e, "value"))
		checkEnvName(t, where, name)
		if dig(e, "valueFrom", "secretKeyRef") != nil {
			t.Errorf("%s: %s takes a secret into the environment; read it as a file with _FILE", where, name)
		}
		if strings.HasSuffix(name, "_FILE") {
			dir, file := path.Split(env[name])
			if path.Clean(dir) != secretPath || !slices.Contains(secretItems, file) || !slices.Contains(secretKeys, file) {
				t.Errorf("%s: %s = %s is not a key of the Secret mounted at %s", where, name, env[name], secretPath)
			}
		}
	}
	cmFile := env["SEATLEDGER_CONFIG"]
	if dir, file := path.Split(cmFile); path.Clean(dir) != configPath || dig(cm, "data", file) == nil {
		t.Errorf("%s: SEATLEDGER_CONFIG %q is not the ConfigMap's file mounted at %s", where, cmFile, configPath)
	}
}

func TestKubernetes(t *testing.T) {
	byKind, _ := kubeObjects(t)
	dep := one(t, byKind, "Deployment")
	svc := one(t, byKind, "Service")
	job := one(t, byKind, "Job")
	cm := one(t, byKind, "ConfigMap")
	secret := one(t, byKind, "Secret")

	if r := dig(dep, "spec", "replicas"); r != 2 {
		t.Errorf("Deployment: replicas %v, want 2", r)
	}
	pod := m(dig(dep, "spec", "template"))
	labels := m(dig(pod, "metadata", "labels"))
	selects := func(where string, sel map[string]any) {
		if len(sel) == 0 {
			t.Errorf("%s: empty selector", where)
		}
		for k, v := range sel {
			if labels[k] != v {
				t.Errorf("%s: selects %s=%v, the pods have %v", where, k, v, labels[k])
			}
		}
	}
	selects("Deployment", m(dig(dep, "spec", "selector", "matchLabels")))
	selects("Service", m(dig(svc, "spec", "selector")))
	podChecks(t, "Deployment", pod, cm, secret)
	podChecks(t, "Job", m(dig(job, "spec", "template")), cm, secret)

	c := m(l(dig(pod, "spec", "containers"))[0])
	ports := map[string]int{}
	for _, p := range l(c["ports"]) {
		ports[s(dig(p, "name"))] = dig(p, "containerPort").(int)
	}
	// port resolves a probe's or the Service's target port, by name or number.
	port := func(v any) int {
		if n, ok := v.(int); ok {
			return n
		}
		return ports[s(v)]
	}
	if n := listenPort(t, "Deployment", strs(c["args"])); n != containerPort || !slices.Contains(slices.Collect(maps.Values(ports)), n) {
		t.Errorf("Deployment: listens on %d, declares ports %v; the image exposes %d", n, ports, containerPort)
	}
	for probe, want := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		get := m(dig(c, probe, "httpGet"))
		if s(get["path"]) != want || port(get["port"]) != containerPort {
			t.Errorf("Deployment: %s %v, want GET %s on port %d", probe, get, want, containerPort)
		}
	}
	if g, ok := dig(pod, "spec", "terminationGracePeriodSeconds").(int); !ok || g <= int(shutdownGrace.Seconds()) {
		t.Errorf("Deployment: terminationGracePeriodSeconds %v is not longer than the shutdown grace %s", g, shutdownGrace)
	}
	sp := l(dig(svc, "spec", "ports"))
	if dig(svc, "spec", "type") != "ClusterIP" || len(sp) != 1 || dig(sp[0], "port") != 80 || port(dig(sp[0], "targetPort")) != containerPort {
		t.Errorf("Service: %v, want ClusterIP port 80 to %d", dig(svc, "spec"), containerPort)
	}

	jc := m(l(dig(job, "spec", "template", "spec", "containers"))[0])
	if !slices.Equal(strs(jc["args"]), []string{"migrate", "up"}) || jc["image"] != c["image"] {
		t.Errorf("Job: %v with %v, want migrate up with the Deployment's image %v", jc["args"], jc["image"], c["image"])
	}
	if rp := dig(job, "spec", "template", "spec", "restartPolicy"); rp != "OnFailure" && rp != "Never" {
		t.Errorf("Job: restartPolicy %v", rp)
	}

	// The ConfigMap's file holds only real keys and loads as the pods would load it.
	text := s(dig(cm, "data", "seatledger.yaml"))
	var sections map[string]map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(text), &sections); err != nil {
		t.Fatalf("ConfigMap seatledger.yaml: %v", err)
	}
	for section, keys := range sections {
		for key := range keys {
			if !slices.Contains(config.Keys(), section+"."+key) {
				t.Errorf("ConfigMap seatledger.yaml: %s.%s is not an option", section, key)
			}
		}
	}
	file := filepath.Join(t.TempDir(), "seatledger.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"database.url", "graph.client_secret"} {
		if !slices.Contains(config.Keys(), k) {
			t.Errorf("%s is no longer an option", k)
		}
	}
	if _, err := config.Load(file, nil, nil); err != nil {
		t.Errorf("ConfigMap seatledger.yaml does not load: %v", err)
	}
	for key, v := range m(secret["stringData"]) {
		if !strings.Contains(s(v), "CHANGE-ME") {
			t.Errorf("Secret example: %s holds a value, not a CHANGE-ME placeholder", key)
		}
	}
}
