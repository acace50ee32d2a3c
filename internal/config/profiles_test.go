package config

import (
	"strings"
	"testing"
)

// Profiles from the file are checked at load and kept in order, on top of their base.
func TestExportProfilesLoad(t *testing.T) {
	path := writeFile(t, `export:
  profiles:
    - name: datev
      base: excel-eu
      date_format: dd.mm.yyyy
      columns:
        - {header: Kunde, field: customer}
        - {header: Betrag, field: amount}
        - {header: Status, field: status}
    - name: xero-nz
      base: xero
      tax_type: 15% GST on Income
`)
	l, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := l.Export.Profiles
	if len(ps) != 2 || ps[0].Name != "datev" || ps[1].Name != "xero-nz" {
		t.Fatalf("profiles = %+v", ps)
	}
	if ps[0].Separator != ';' || ps[0].DecimalMark != ',' || !ps[0].BOM || len(ps[0].Columns) != 3 || ps[0].DateFormat != "dd.mm.yyyy" {
		t.Errorf("datev = %+v, want excel-eu's separator, mark and BOM with its own columns and dates", ps[0])
	}
	if ps[1].TaxType != "15% GST on Income" || ps[1].AccountCode != "200" || len(ps[1].Columns) != 27 {
		t.Errorf("xero-nz = %+v, want xero's columns and account with its own tax type", ps[1])
	}
	for _, s := range l.Settings() {
		if s.Key == "export.profiles" && (s.Value != "datev, xero-nz" || s.Source != FromFile) {
			t.Errorf("export.profiles printed as %q from %s", s.Value, s.Source)
		}
	}
}

// From the environment the list is YAML or JSON text.
func TestExportProfilesFromEnvironment(t *testing.T) {
	l, err := Load("", []string{`SEATLEDGER_EXPORT_PROFILES=[{"name": "tabs", "separator": "tab"}]`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Export.Profiles) != 1 || l.Export.Profiles[0].Separator != '\t' {
		t.Errorf("profiles = %+v", l.Export.Profiles)
	}
	if l, err := Load("", nil, nil); err != nil || len(l.Export.Profiles) != 0 {
		t.Errorf("no profiles configured: %+v, %v", l, err)
	}
}

// Every problem of every profile is reported, each naming its key.
func TestExportProfileRejections(t *testing.T) {
	path := writeFile(t, `export:
  profiles:
    - name: sage
      decimal_point: ","
      columns:
        - {header: Customer, field: customer}
        - {header: Amount, feld: amount}
    - name: datev
      separator: ","
      decimal_mark: ","
      columns:
        - {header: Kunde, field: customer}
        - {header: Status, field: status}
        - {header: Betrag, field: amout}
    - name: datev
      base: default
    - name: xero
    - name: ok
      base: quickbooks
    - just a string
`)
	_, err := Load(path, nil, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		":3: export.profiles[0].decimal_point: unknown key (known keys: name, base, separator",
		"export.profiles[0].columns[1].feld: unknown key (known keys: header, field)",
		`export.profiles[1].columns[2].field: "amout" is not a field (`,
		`export.profiles[1].separator: "," is also the decimal_mark`,
		`:15: export.profiles[2].name: "datev" is also the name of export.profiles[1]`,
		`export.profiles[3].name: "xero" is a built-in profile`,
		`export.profiles[4].base: "quickbooks" is not a built-in profile (default, excel-eu, xero)`,
		"export.profiles[5]: must be a profile",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Load(writeFile(t, "export:\n  profiles: datev\n"), nil, nil); err == nil || !strings.Contains(err.Error(), "export.profiles: must be a list of profiles") {
		t.Errorf("a scalar for the list: %v", err)
	}
	if _, err := Load("", []string{"SEATLEDGER_EXPORT_PROFILES=[{name: x, separator: ';', columns: [{header: A, field: nope}]}]"}, nil); err == nil ||
		!strings.Contains(err.Error(), `SEATLEDGER_EXPORT_PROFILES: export.profiles[0].columns[0].field: "nope" is not a field`) {
		t.Errorf("a bad profile from the environment: %v", err)
	}
}
