package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func embeddedCatalog(t *testing.T) *instrument.Catalog {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// bestAnswersJSON answers every indicator of the sheet with its best answer.
func bestAnswersJSON(t *testing.T, in *instrument.Instrument, mods map[string]any) string {
	t.Helper()
	answers := map[string]any{}
	for _, ind := range in.Indicators() {
		s := in.Scales[ind.Scale]
		switch s.Kind {
		case instrument.KindChoice:
			best := s.Options[0]
			for _, o := range s.Options {
				if o.Value > best.Value {
					best = o
				}
			}
			answers[ind.Code] = best.Key
		case instrument.KindPercent:
			answers[ind.Code] = 100
		default:
			answers[ind.Code] = *s.Max
		}
	}
	for k, v := range mods {
		answers[k] = v
	}
	b, err := json.Marshal(map[string]any{"answers": answers})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type scoreOutput struct {
	Instrument string             `json:"instrument"`
	Total      float64            `json:"total"`
	Grade      *string            `json:"grade"`
	Predicates map[string]bool    `json:"predicates"`
	Nodes      map[string]float64 `json:"nodes"`
	Missing    []string           `json:"missing"`
}

// score runs `raporrb score` and, on success, checks the output is one line of JSON with
// exactly the contract's keys.
func score(t *testing.T, stdin string, args ...string) (code int, out scoreOutput, stderr string) {
	t.Helper()
	var so, se bytes.Buffer
	code = runScore(args, strings.NewReader(stdin), &so, &se, embeddedCatalog(t))
	if code != 0 {
		if so.Len() != 0 {
			t.Errorf("exit %d with stdout %q", code, so.String())
		}
		return code, out, se.String()
	}
	if se.Len() != 0 {
		t.Errorf("exit 0 with stderr %q", se.String())
	}
	line, ok := strings.CutSuffix(so.String(), "\n")
	if !ok || strings.Contains(line, "\n") {
		t.Fatalf("stdout is not one line: %q", so.String())
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &keys); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := []string{"grade", "instrument", "missing", "nodes", "predicates", "total"}; !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	if err := json.Unmarshal([]byte(line), &out); err != nil {
		t.Fatal(err)
	}
	return code, out, ""
}

func TestScoreValidZIFile(t *testing.T) {
	zi, _ := embeddedCatalog(t).Get("zi-2021")
	file := writeTemp(t, "jawaban.json", `{"answers": {"P.MP.PM.1.a": "Ya", "P.MP.PM.1.b": "B", "P.MP.RF.1.a": 75, "H.BA.IPAK.a": 3.6}}`)
	code, out, stderr := score(t, "", "-instrument", "zi-2021", file)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if out.Instrument != "zi-2021" || out.Grade != nil {
		t.Errorf("instrument %q grade %v, want zi-2021 and null", out.Instrument, out.Grade)
	}
	// P.MP.PM.1 (0.5 points): (1 + 0.5)/2 → 0.38 (0.375 rounded); P.MP.RF.1 (2 points): (0.75 + 0)/2 → 0.75;
	// IPAK 3.6 of 4 → 15.75; total 0.375 + 0.75 + 15.75 = 16.875 → 16.88.
	for code, want := range map[string]float64{"P.MP.PM.1": 0.38, "P.MP.RF.1": 0.75, "H.BA.IPAK": 15.75, "H.BA": 15.75} {
		if out.Nodes[code] != want {
			t.Errorf("nodes[%s] = %v, want %v", code, out.Nodes[code], want)
		}
	}
	if out.Total != 16.88 {
		t.Errorf("total = %v, want 16.88", out.Total)
	}
	if len(out.Missing) != zi.NumIndicators()-4 || out.Missing[0] != "P.MP.PM.2.a" {
		t.Errorf("missing = %d codes starting %v, want %d starting P.MP.PM.2.a", len(out.Missing), out.Missing[:1], zi.NumIndicators()-4)
	}
	if _, ok := out.Nodes["P.MP.PM.1.a"]; ok {
		t.Error("nodes include an indicator")
	}
	if out.Predicates["WBK"] || out.Predicates["WBBM"] || len(out.Predicates) != 2 {
		t.Errorf("predicates = %v, want WBK and WBBM false", out.Predicates)
	}
}

func TestScoreStdinAndPrevious(t *testing.T) {
	cat := embeddedCatalog(t)
	zi, _ := cat.Get("zi-2021")
	all := bestAnswersJSON(t, zi, nil)
	for _, tt := range []struct {
		name      string
		args      []string
		wbk, wbbm bool
	}{
		{"stdin by default, earlier result unknown", []string{"-instrument", "zi-2021"}, true, true},
		{"- is stdin", []string{"-instrument", "zi-2021", "-"}, true, true},
		{"-previous WBK", []string{"-instrument", "zi-2021", "-previous", "WBK"}, true, true},
		{"-previous WBK,WBBM", []string{"-instrument", "zi-2021", "-previous", "WBK,WBBM"}, true, true},
		{"-previous WBBM alone: no earlier WBK", []string{"-instrument", "zi-2021", "-previous", "WBBM"}, true, false},
		{"-previous= : earlier result had nothing", []string{"-instrument", "zi-2021", "-previous="}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := score(t, all, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if out.Total != 100 || len(out.Missing) != 0 || out.Missing == nil {
				t.Errorf("total %v missing %v, want 100 and []", out.Total, out.Missing)
			}
			if out.Predicates["WBK"] != tt.wbk || out.Predicates["WBBM"] != tt.wbbm {
				t.Errorf("predicates = %v, want WBK %v WBBM %v", out.Predicates, tt.wbk, tt.wbbm)
			}
		})
	}

	// A sheet with grades: IKM all NRR 3.2 → 25 × 3.2 = 80.00, grade B.
	ikm, _ := cat.Get("ikm-2017")
	_, out, _ := score(t, bestAnswersJSON(t, ikm, map[string]any{
		"IKM.U1": 3.2, "IKM.U2": 3.2, "IKM.U3": 3.2, "IKM.U4": 3.2, "IKM.U5": 3.2, "IKM.U6": 3.2, "IKM.U7": 3.2, "IKM.U8": 3.2, "IKM.U9": 3.2,
	}), "-instrument", "ikm-2017")
	if out.Total != 80 || out.Grade == nil || *out.Grade != "B" {
		t.Errorf("IKM all 3.2: total %v grade %v, want 80 B", out.Total, out.Grade)
	}
}

func TestScoreBadInput(t *testing.T) {
	missingFile := filepath.Join(t.TempDir(), "tidak-ada.json")
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
		want  string // in the one stderr line
	}{
		{"unknown code", `{"answers": {"P.XX.9.z": "Ya"}}`, []string{"-instrument", "zi-2021"}, `"P.XX.9.z" tidak ada`},
		{"unknown option", `{"answers": {"P.MP.PM.1.a": "Mungkin"}}`, []string{"-instrument", "zi-2021"}, `P.MP.PM.1.a: pilihan "Mungkin" tidak ada`},
		{"percent out of range", `{"answers": {"P.MP.RF.1.a": 101}}`, []string{"-instrument", "zi-2021"}, "P.MP.RF.1.a: persentase harus antara 0 dan 100"},
		{"number out of range", `{"answers": {"H.BA.IPAK.a": 4.5}}`, []string{"-instrument", "zi-2021"}, "H.BA.IPAK.a: nilai harus antara 0 dan 4"},
		{"string for a number", `{"answers": {"IKM.U1": "3.2"}}`, []string{"-instrument", "ikm-2017"}, "IKM.U1: jawaban harus berupa angka"},
		{"null answer", `{"answers": {"IKM.U1": null}}`, []string{"-instrument", "ikm-2017"}, "IKM.U1: jawaban harus berupa pilihan (teks) atau angka"},
		{"missing -instrument", `{"answers": {}}`, nil, "missing -instrument"},
		{"unknown instrument", `{"answers": {}}`, []string{"-instrument", "zi-2099"}, `unknown instrument "zi-2099"`},
		{"malformed JSON", `{"answers": {"P.MP.PM.1.a": "Ya",}}`, []string{"-instrument", "zi-2021"}, "malformed input"},
		{"empty input", ``, []string{"-instrument", "zi-2021"}, "empty input"},
		{"no answers object", `{}`, []string{"-instrument", "zi-2021"}, `want {"answers": {...}}`},
		{"unknown top-level field", `{"answers": {}, "unit": "x"}`, []string{"-instrument", "zi-2021"}, `unknown field "unit"`},
		{"two JSON values", `{"answers": {}} {"answers": {}}`, []string{"-instrument", "zi-2021"}, "more than one JSON value"},
		{"unknown -previous key", `{"answers": {}}`, []string{"-instrument", "zi-2021", "-previous", "WBX"}, `-previous: "WBX" is not a predicate of zi-2021`},
		{"-previous on a sheet without predicates", `{"answers": {}}`, []string{"-instrument", "sakip-2021", "-previous", "WBK"}, "sakip-2021 has no predicates"},
		{"missing file", ``, []string{"-instrument", "zi-2021", missingFile}, "tidak-ada.json"},
		{"two files", ``, []string{"-instrument", "zi-2021", "a.json", "b.json"}, "at most one input file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := score(t, tt.stdin, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			line, ok := strings.CutSuffix(stderr, "\n")
			if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "raporrb score: ") || !strings.Contains(line, tt.want) {
				t.Errorf("stderr = %q, want one line `raporrb score: …%s…`", stderr, tt.want)
			}
		})
	}
	// Flag errors come from the flag package, followed by the usage.
	code, _, stderr := score(t, "", "-nope")
	if code != 2 || !strings.Contains(stderr, "-nope") || !strings.Contains(stderr, "usage: raporrb score") {
		t.Errorf("unknown flag: exit %d, stderr %q", code, stderr)
	}
}

func TestInstrumentsValidate(t *testing.T) {
	src, err := fs.ReadFile(instruments.FS, "ikm-2017.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := writeTemp(t, "ikm-baru.yaml", strings.Replace(string(src), "id: ikm-2017", "id: ikm-2026", 1))
	broken := writeTemp(t, "rusak.yaml", strings.Replace(string(src), "scale: nrr\n    evidence: Rekap kuesioner SKM unsur U2", "scale: nrr5\n    evidence: x", 1))

	run := func(args ...string) (int, string, string) {
		var so, se bytes.Buffer
		code := runInstruments(args, &so, &se)
		return code, so.String(), se.String()
	}

	if code, out, errOut := run("validate", good); code != 0 || out != good+": ok (ikm-2026, 9 indicators)\n" || errOut != "" {
		t.Errorf("validate good: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := run("validate", broken); code != 1 || out != "" || errOut != broken+": IKM.U2: unknown scale \"nrr5\"\n" {
		t.Errorf("validate broken: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := run("validate", good, broken); code != 1 || !strings.Contains(out, "ok") || !strings.Contains(errOut, "IKM.U2") {
		t.Errorf("validate good broken: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := run("validate", filepath.Join(t.TempDir(), "none.yaml")); code != 1 || !strings.Contains(errOut, "none.yaml") {
		t.Errorf("validate missing file: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{nil, {"validate"}, {"list", "x"}, {"frobnicate"}} {
		if code, _, errOut := run(args...); code != 2 || !strings.Contains(errOut, "usage: raporrb instruments") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and the usage", args, code, errOut)
		}
	}
}

func TestInstrumentsList(t *testing.T) {
	var so, se bytes.Buffer
	if code := runInstruments([]string{"list"}, &so, &se); code != 0 || se.Len() != 0 {
		t.Fatalf("list: exit %d, stderr %q", code, se.String())
	}
	lines := strings.Split(strings.TrimSuffix(so.String(), "\n"), "\n")
	want := []string{"ikm-2017", "new-normal-2020", "pekppp-2022", "sakip-2021", "zi-2021"}
	if len(lines) != len(want) {
		t.Fatalf("list printed %d lines, want %d:\n%s", len(lines), len(want), so.String())
	}
	for i, id := range want {
		if !strings.HasPrefix(lines[i], id+" ") {
			t.Errorf("line %d = %q, want it to start with %s", i, lines[i], id)
		}
	}
	if !strings.Contains(lines[4], "Zona Integritas menuju WBK/WBBM") {
		t.Errorf("zi line %q lacks its title", lines[4])
	}
}
