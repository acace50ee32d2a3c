package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/redact"
)

// The example file must document every option with its default.
func TestExampleDocumentsEveryOption(t *testing.T) {
	data, err := os.ReadFile("../../config/seatledger.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, o := range options {
		section, key, _ := strings.Cut(o.key, ".")
		n, ok := doc[section][key]
		if !ok {
			t.Errorf("example lacks %s", o.key)
			continue
		}
		// A list option's default is the empty list; its example is in comments.
		if o.list {
			if n.Kind != yaml.SequenceNode || len(n.Content) != 0 {
				t.Errorf("example gives %s a value, want [] (examples in comments)", o.key)
			}
			continue
		}
		if v := n.Value; v != o.def {
			t.Errorf("example gives %s = %q, the default is %q", o.key, v, o.def)
		}
	}
	if _, err := Load("../../config/seatledger.example.yaml", nil, nil); err != nil {
		t.Errorf("example does not load: %v", err)
	}
}

func TestPrecedence(t *testing.T) {
	path := writeFile(t, "log:\n  level: warn\n  format: json\ndatabase:\n  url: postgres://app:s3cret@db:5432/seatledger\n")
	l, err := Load(path, []string{"SEATLEDGER_LOG_LEVEL=debug", "PATH=/bin"}, map[string]string{"database.url": ""})
	if err != nil {
		t.Fatal(err)
	}
	if l.Log.Level != "debug" || l.Log.Format != "json" || l.Database.URL != "postgres://app:s3cret@db:5432/seatledger" || l.Database.MaxOpenConns != 10 {
		t.Errorf("config = %+v", l.Config)
	}
	l, err = Load(path, nil, map[string]string{"database.url": "sqlite:x.db"})
	if err != nil || l.Database.URL != "sqlite:x.db" {
		t.Errorf("flag override: %+v, %v", l, err)
	}
}

func TestSecretsAreMaskedAndReadFromFiles(t *testing.T) {
	secret := writeFile(t, "postgres://app:hunter2@db/seatledger?sslmode=require\n")
	l, err := Load("", []string{"SEATLEDGER_DATABASE_URL_FILE=" + secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Database.URL != "postgres://app:hunter2@db/seatledger?sslmode=require" {
		t.Errorf("url from file = %q", l.Database.URL)
	}
	for _, s := range l.Settings() {
		if strings.Contains(s.Value, "hunter2") {
			t.Errorf("%s printed with its secret: %s", s.Key, s.Value)
		}
		if s.Key == "database.url" && (!strings.Contains(s.Value, "app:xxxxx@db") || s.Source != FromEnv) {
			t.Errorf("database.url printed as %q from %s", s.Value, s.Source)
		}
	}
}

func TestRejections(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		environ []string
		want    []string
	}{
		{"unknown key in file", "log:\n  levle: info\n", nil, []string{":2: log.levle: unknown key (known keys: database.url"}},
		{"unknown section in file", "billing:\n  day: 1\n", nil, []string{"billing.day: unknown key"}},
		{"bad graph cloud", "graph:\n  cloud: azure\n", nil, []string{`graph.cloud: "azure" is not allowed (allowed: global, usgov, usgovdod, china)`}},
		{"bad client id", "graph:\n  client_id: my-app\n", nil, []string{`graph.client_id (from file): not a GUID`}},
		{"bad enumeration", "log:\n  level: verbose\n", nil, []string{`log.level: "verbose" is not allowed (allowed: debug, info, warn, error)`}},
		{"bad number from environment", "", []string{"SEATLEDGER_DATABASE_MAX_OPEN_CONNS=lots"}, []string{`database.max_open_conns (from environment): "lots" is not a whole number from 1 to 1000`}},
		{"unknown environment variable", "", []string{"SEATLEDGER_DATABSE_URL=x"}, []string{"environment variable SEATLEDGER_DATABSE_URL: unknown setting"}},
		{"bad database url, not repeated", "database:\n  url: mysql://u:pw@h/db\n", nil, []string{`database.url (from file): the value is neither postgres://USER:PASSWORD@HOST:PORT/DB nor sqlite:PATH`}},
		{"several problems at once", "log:\n  level: loud\n  format: xml\n", nil, []string{"log.format", "log.level"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = writeFile(t, tc.file)
			}
			_, err := Load(path, tc.environ, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), ":pw@") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seatledger.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDatabasePasswordsNeverShown(t *testing.T) {
	_, err := Load("", []string{"SEATLEDGER_DATABASE_URL=host=localhost user=bob password=hunter2 dbname=x"}, nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("keyword DSN: %v", err)
	}
	for in, want := range map[string]string{
		"postgres://bob:hunter2@localhost:5432/x?password=p2&sslmode=disable": "postgres://bob:xxxxx@localhost:5432/x?password=xxxxx&sslmode=disable",
		"sqlite:./seatledger.db": "sqlite:./seatledger.db",
	} {
		if got := redact.URL(in); got != want {
			t.Errorf("redact.URL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A value that does not parse is never repeated when its key holds a secret or may
// hold one by mistake, from whichever source it came.
func TestPrivateValuesNeverInErrors(t *testing.T) {
	cases := []struct {
		key, value, secret, want string
	}{
		{"database.url", "postgres://app:pa%ss@db/seatledger", "pa%ss", "percent-encode special characters in the password"},
		{"database.url", "postgres://app:pa/ss@db:5432/seatledger", "pa/ss", "percent-encode"},
		{"database.url", "postgres://app:pa?ss@db/seatledger", "pa?ss", "percent-encode"},
		{"database.url", "postgres://app:s3cret@db:99999/seatledger", "s3cret", "the port is not a number from 1 to 65535"},
		{"database.url", "postgres://app:1234/s3cretrest@db/seatledger", "s3cretrest", "percent-encode"},
		{"database.url", "postgres://app:hunter2#x@db/seatledger", "hunter2", "percent-encode"},
		{"graph.client_id", "Qx8~hunter2.secret-value", "hunter2", "may be the client secret"},
		{"partner.tenant_id", "Qx8~hunter2.secret-value", "hunter2", "not a GUID"},
		{"catalog.url", "https://u:hunter2@h/x%zz.csv?sig=1", "hunter2", "not a URL"},
		{"catalog.url", "ftp://h/x.csv?sig=hunter2", "hunter2", "https only"},
		{"graph.base_url", "ftp://u:hunter2@h/v1.0", "hunter2", "not an http(s) URL"},
	}
	for _, tc := range cases {
		env := EnvName(tc.key)
		section, key, _ := strings.Cut(tc.key, ".")
		sources := map[string]func() (string, []string, map[string]string){
			"flag":        func() (string, []string, map[string]string) { return "", nil, map[string]string{tc.key: tc.value} },
			"environment": func() (string, []string, map[string]string) { return "", []string{env + "=" + tc.value}, nil },
			"file": func() (string, []string, map[string]string) {
				return writeFile(t, section+":\n  "+key+": "+strconv.Quote(tc.value)+"\n"), nil, nil
			},
			"_FILE": func() (string, []string, map[string]string) {
				return "", []string{env + "_FILE=" + writeFile(t, tc.value+"\n")}, nil
			},
		}
		for name, source := range sources {
			if name == "_FILE" && !optionNamed(tc.key).secret {
				continue
			}
			t.Run(tc.key+" from "+name, func(t *testing.T) {
				path, environ, flags := source()
				_, err := Load(path, environ, flags)
				if err == nil {
					t.Fatalf("%s accepted", tc.value)
				}
				if strings.Contains(err.Error(), tc.secret) || strings.Contains(err.Error(), tc.value) {
					t.Errorf("error repeats the value: %v", err)
				}
				if !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not say %q of %s", err, tc.want, tc.key)
				}
			})
		}
	}
}

// yaml.v3 quotes the value in its type errors: a password put where a section belongs
// must not be repeated.
func TestMisplacedSecretInFileNotRepeated(t *testing.T) {
	path := writeFile(t, "database: postgres://app:hunter2@db/seatledger\ngraph:\n  client_secret: [hunter3]\n")
	_, err := Load(path, nil, nil)
	if err == nil || strings.Contains(err.Error(), "hunter") || !strings.Contains(err.Error(), ":1: database: must be a section") {
		t.Errorf("err = %v", err)
	}
}

func TestURLsPrintedRedacted(t *testing.T) {
	l, err := Load("", []string{
		"SEATLEDGER_DATABASE_URL=postgres://app:hunter2@db/seatledger?sslpassword=hunter3&sslmode=verify-full",
		"SEATLEDGER_CATALOG_URL=https://reader:hunter4@store.example/skus.csv?sv=2024&sig=hunter5",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"database.url": "postgres://app:xxxxx@db/seatledger?sslpassword=xxxxx&sslmode=verify-full",
		"catalog.url":  "https://xxxxx@store.example/skus.csv?sv=xxxxx&sig=xxxxx",
	}
	for _, s := range l.Settings() {
		if strings.Contains(s.Value, "hunter") {
			t.Errorf("%s printed as %s", s.Key, s.Value)
		}
		if w, ok := want[s.Key]; ok && s.Value != w {
			t.Errorf("%s printed as %s, want %s", s.Key, s.Value, w)
		}
	}
}

func optionNamed(key string) option {
	for _, o := range options {
		if o.key == key {
			return o
		}
	}
	panic("no option " + key)
}

// Every problem of a configuration is reported at once: an unknown key in the file
// does not hide a bad value elsewhere.
func TestEveryConfigurationProblemAtOnce(t *testing.T) {
	path := writeFile(t, "log:\n  levle: debug\n  format: xml\ngraph:\n  concurrency: many\n")
	_, err := Load(path, []string{"SEATLEDGER_LOG_COLOUR=red"}, nil)
	for _, want := range []string{path + ":2: log.levle: unknown key", `log.format: "xml" is not allowed`, "graph.concurrency", "SEATLEDGER_LOG_COLOUR: unknown setting"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

func TestSecretAndItsFileBothSet(t *testing.T) {
	secret := writeFile(t, "s3cret\n")
	_, err := Load("", []string{"SEATLEDGER_GRAPH_CLIENT_SECRET=other", "SEATLEDGER_GRAPH_CLIENT_SECRET_FILE=" + secret}, nil)
	if err == nil || !strings.Contains(err.Error(), "SEATLEDGER_GRAPH_CLIENT_SECRET and SEATLEDGER_GRAPH_CLIENT_SECRET_FILE are both set") {
		t.Errorf("err = %v", err)
	}
}

func TestMissingCAFileFailsAtStart(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ca.pem")
	_, err := Load("", []string{"SEATLEDGER_GRAPH_CA_FILE=" + missing, "SEATLEDGER_GRAPH_CERTIFICATE_FILE=" + filepath.Dir(missing)}, nil)
	for _, want := range []string{"graph.ca_file (from environment): " + missing + ": no such file", "graph.certificate_file (from environment): " + filepath.Dir(missing) + " is a folder"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q: %v", want, err)
		}
	}
}
