package instrument

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rapor-rb/raporrb/seed/instruments"
)

// demoSheet is a small, valid sheet with every feature of the format. The failure cases below
// each break one thing in it.
const demoSheet = `id: demo-2026
title: Demo
regulation: Perbup 1/2026
scale_max: 100
scales:
  yn: {kind: choice, options: [{key: Ya, value: 1}, {key: Tidak, value: 0}]}
  pct: {kind: percent}
  n4: {kind: number, min: 0, max: 4}
areas:
- code: A
  title: Area A
  weight: 60
  areas:
  - code: A.1
    title: A satu
    weight: 20
    indicators:
    - {code: A.1.a, text: Satu, scale: yn, criteria: {Ya: Sudah ada, Tidak: Belum ada}}
    - {code: A.1.b, text: Dua, scale: pct}
  - code: A.2
    title: A dua
    weight: 40
    indicators:
    - {code: A.2.a, text: Tiga, scale: n4, evidence: Laporan}
- code: B
  title: Area B
  weight: 40
  indicators:
  - {code: B.a, text: Empat, scale: yn, criteria: {Ya: Sudah, Tidak: Belum}}
grades:
- {key: BAIK, label: Baik, above: 70}
- {key: KURANG, label: Kurang, min: 0}
predicates:
- key: LULUS
  label: Lulus
  rules:
  - {node: total, min: 70}
  - {each_child_of: A, min_ratio: 0.5}
- key: UNGGUL
  label: Unggul
  requires_previous: LULUS
  rules:
  - {node: A, min: 50}
`

// edit returns demoSheet with each old replaced by its new, panicking when an old is not there
// exactly once, so a case cannot silently test the unmodified sheet.
func edit(pairs ...string) string {
	s := demoSheet
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			panic(fmt.Sprintf("edit: %q occurs %d times in demoSheet, want 1", pairs[i], n))
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestEmbeddedSheetsLoad(t *testing.T) {
	cat, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatalf("LoadFS(embedded) = %v", err)
	}
	want := map[string]int{ // indicators per sheet
		"ikm-2017": 9, "new-normal-2020": 31, "pekppp-2022": 31, "sakip-2021": 80, "zi-2021": 113,
	}
	var ids []string
	for _, in := range cat.List() {
		ids = append(ids, in.ID)
		if got := in.NumIndicators(); got != want[in.ID] {
			t.Errorf("%s: %d indicators, want %d", in.ID, got, want[in.ID])
		}
		// Every leaf's points add up to scale_max: the weights are consistent end to end.
		var sum float64
		in.Walk(func(a *Area, _ int) {
			if a.IsLeaf() {
				sum += in.Points(a)
			}
		})
		if d := sum - in.ScaleMax; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: leaf points sum to %v, want %v", in.ID, sum, in.ScaleMax)
		}
	}
	if !slices.Equal(ids, []string{"ikm-2017", "new-normal-2020", "pekppp-2022", "sakip-2021", "zi-2021"}) {
		t.Errorf("List() ids = %v", ids)
	}

	zi, ok := cat.Get("zi-2021")
	if !ok {
		t.Fatal(`Get("zi-2021") not found`)
	}
	mp, ok := zi.Node("P.MP")
	if !ok || zi.Points(mp) != 8 {
		t.Errorf(`Node("P.MP") = %v, %v; want an area of 8 points`, mp, ok)
	}
	if leaf := zi.LeafOf("P.MP.PM.1.a"); leaf == nil || leaf.Code != "P.MP.PM.1" {
		t.Errorf(`LeafOf("P.MP.PM.1.a") = %v, want P.MP.PM.1`, leaf)
	}
	if s := zi.ScaleOf("H.BA.IPAK.a"); s.Kind != KindNumber || *s.Max != 4 {
		t.Errorf(`ScaleOf("H.BA.IPAK.a") = %+v, want number 0..4`, s)
	}
	if p := zi.Parent("P.MP"); p == nil || p.Code != "P" {
		t.Errorf(`Parent("P.MP") = %v, want P`, p)
	}
	if got := len(zi.Children(TotalNode)); got != 2 {
		t.Errorf("Children(total) = %d areas, want 2 (P and H)", got)
	}
	if _, ok := cat.Get("nope"); ok {
		t.Error(`Get("nope") found an instrument`)
	}
}

func TestParseDemo(t *testing.T) {
	in, err := Parse("demo.yaml", []byte(demoSheet))
	if err != nil {
		t.Fatalf("Parse(demo) = %v", err)
	}
	var walked []string
	in.Walk(func(a *Area, depth int) { walked = append(walked, strings.Repeat(">", depth)+a.Code) })
	if want := []string{"A", ">A.1", ">A.2", "B"}; !slices.Equal(walked, want) {
		t.Errorf("Walk = %v, want %v", walked, want)
	}
	var codes []string
	for _, ind := range in.Indicators() {
		codes = append(codes, ind.Code)
	}
	if want := []string{"A.1.a", "A.1.b", "A.2.a", "B.a"}; !slices.Equal(codes, want) {
		t.Errorf("Indicators() = %v, want %v", codes, want)
	}
	if ind, ok := in.Indicator("A.2.a"); !ok || ind.Evidence != "Laporan" {
		t.Errorf(`Indicator("A.2.a") = %+v, %v`, ind, ok)
	}
	if _, ok := in.Indicator("A.1"); ok {
		t.Error(`Indicator("A.1") found an area as an indicator`)
	}
	if _, ok := in.Node("A.1.a"); ok {
		t.Error(`Node("A.1.a") found an indicator as an area`)
	}
	a1, _ := in.Node("A.1")
	if got := in.Points(a1); got != 20 {
		t.Errorf("Points(A.1) = %v, want 20", got)
	}
	if p, ok := in.Predicate("UNGGUL"); !ok || p.RequiresPrevious != "LULUS" {
		t.Errorf(`Predicate("UNGGUL") = %+v, %v`, p, ok)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		yaml string
		want string // the whole one-line message, or a prefix ending in "…" for decoder messages
	}{
		{"empty file", "", "t.yaml: empty file"},
		{"two documents", demoSheet + "---\nid: x\n", "t.yaml: more than one YAML document"},
		{"unknown field", edit("scale_max: 100\n", "scale_max: 100\nowner: x\n"),
			"t.yaml: line 5: field owner not found in type instrument.Instrument"},
		{"unknown nested field", edit("weight: 60", "weight: 60\n  bobot: 60"),
			"t.yaml: line 13: field bobot not found in type instrument.Area"},
		{"bad yaml", edit("title: Demo", "title: [Demo"), "t.yaml: …"},
		{"missing id", edit("id: demo-2026\n", ""), "t.yaml: id: missing"},
		{"id not a slug", edit("id: demo-2026", "id: Demo 2026"),
			`t.yaml: id: "Demo 2026" is not a slug (lower-case letters, digits and '-')`},
		{"id with slash", edit("id: demo-2026", "id: demo/2026"),
			`t.yaml: id: "demo/2026" is not a slug (lower-case letters, digits and '-')`},
		{"missing title", edit("title: Demo\n", ""), "t.yaml: title: missing"},
		{"scale_max zero", edit("scale_max: 100", "scale_max: 0"),
			"t.yaml: scale_max: must be a number > 0, got 0"},
		{"unknown scale kind", edit("{kind: percent}", "{kind: persen}"),
			`t.yaml: scale pct: unknown kind "persen" (want choice, percent or number)`},
		{"choice without options", edit("{kind: choice, options: [{key: Ya, value: 1}, {key: Tidak, value: 0}]}", "{kind: choice}"), "t.yaml: scale yn: a choice scale needs at least one option"},
		{"duplicate option key", edit("{key: Tidak, value: 0}", "{key: Ya, value: 0}"),
			`t.yaml: scale yn: duplicate option key "Ya"`},
		{"option without key", edit("{key: Tidak, value: 0}", "{value: 0}"),
			"t.yaml: scale yn: option 2 has no key"},
		{"option value above 1", edit("{key: Tidak, value: 0}", "{key: Tidak, value: 2}"),
			`t.yaml: scale yn: option "Tidak" has value 2, want a value in [0, 1]`},
		{"option value negative", edit("{key: Tidak, value: 0}", "{key: Tidak, value: -0.5}"),
			`t.yaml: scale yn: option "Tidak" has value -0.5, want a value in [0, 1]`},
		{"best option below 1", edit("{key: Ya, value: 1}", "{key: Ya, value: 0.9}"),
			"t.yaml: scale yn: best option has value 0.9, want 1"},
		{"number min not below max", edit("min: 0, max: 4", "min: 4, max: 4"),
			"t.yaml: scale n4: want 0 <= min < max, got min 4 and max 4"},
		{"number negative min", edit("min: 0, max: 4", "min: -1, max: 4"),
			"t.yaml: scale n4: want 0 <= min < max, got min -1 and max 4"},
		{"number without max", edit("min: 0, max: 4", "min: 0"),
			"t.yaml: scale n4: a number scale needs min and max"},
		{"unknown scale source", edit("{kind: percent}", "{kind: percent, source: survei}"),
			`t.yaml: scale pct: unknown source "survei" (want survey, or none when the unit answers it)`},
		{"percent with max", edit("{kind: percent}", "{kind: percent, max: 50}"),
			"t.yaml: scale pct: a percent scale takes no options, min or max (it is always 0..100)"},
		{"no areas", demoSheet[:strings.Index(demoSheet, "areas:")], "t.yaml: areas: the instrument has no areas"},
		{"area without code", edit("  - code: A.2\n    title", "  - title"),
			"t.yaml: A: area 2: missing code"},
		{"root area without code", edit("- code: B\n  title", "- title"),
			"t.yaml: area 2: missing code"},
		{"indicator without code", edit("{code: A.1.b, text", "{text"),
			"t.yaml: A.1: indicator 2: missing code"},
		{"code with space", edit("code: A.1.a,", "code: A.1 a,"),
			"t.yaml: A.1 a: not a valid code (letters, digits, '.', '_' and '-')"},
		{"code total is reserved", edit("- code: B\n", "- code: total\n"),
			`t.yaml: total: reserved: predicates use "total" for the instrument's total`},
		{"duplicate indicator code", edit("code: A.1.b,", "code: A.1.a,"),
			"t.yaml: A.1.a: duplicate code (already used by an indicator)"},
		{"indicator code equals an area code", edit("code: A.2.a,", "code: A.1,"),
			"t.yaml: A.1: duplicate code (already used by an area)"},
		{"area code does not extend parent", edit("- code: A.2\n", "- code: X.2\n"),
			"t.yaml: X.2: code does not extend its parent's code A"},
		{"prefix without dot is not an extension", edit("code: B.a,", "code: Ba,"),
			"t.yaml: Ba: code does not extend its parent's code B"},
		{"missing area title", edit("    title: A dua\n", ""), "t.yaml: A.2: missing title"},
		{"zero weight", edit("weight: 40\n    indicators", "weight: 0\n    indicators"),
			"t.yaml: A.2: weight must be a number > 0, got 0"},
		{"negative weight", edit("weight: 20", "weight: -20"),
			"t.yaml: A.1: weight must be a number > 0, got -20"},
		{"children's weights", edit("weight: 40\n    indicators", "weight: 30\n    indicators"),
			"t.yaml: A: children's weights sum to 50, want 60"},
		{"root weights", edit("weight: 40\n  indicators", "weight: 30\n  indicators"),
			"t.yaml: areas: root weights sum to 90, want 100"},
		{"both areas and indicators", edit("  weight: 60\n  areas:", "  weight: 60\n  indicators:\n  - {code: A.x, text: X, scale: yn}\n  areas:"), "t.yaml: A: has both areas and indicators (a node is either a parent or a leaf)"},
		{"empty leaf", edit("  indicators:\n  - {code: B.a, text: Empat, scale: yn, criteria: {Ya: Sudah, Tidak: Belum}}\n", ""),
			"t.yaml: B: has neither areas nor indicators"},
		{"indicator without text", edit("text: Empat, ", ""), "t.yaml: B.a: missing text"},
		{"indicator unknown scale", edit("scale: n4", "scale: n5"),
			`t.yaml: A.2.a: unknown scale "n5"`},
		{"choice indicator without criteria", edit(", criteria: {Ya: Sudah, Tidak: Belum}}", "}"),
			"t.yaml: B.a: no criteria for option Ya, Tidak (write them under criteria, or as text on scale yn's options)"},
		{"choice indicator missing one criterion", edit("criteria: {Ya: Sudah, Tidak: Belum}", "criteria: {Ya: Sudah}"),
			"t.yaml: B.a: no criteria for option Tidak (write them under criteria, or as text on scale yn's options)"},
		{"criterion for an unknown option", edit("criteria: {Ya: Sudah, Tidak: Belum}", "criteria: {Ya: Sudah, Tidak: Belum, Mungkin: Entah}"),
			`t.yaml: B.a: criteria for "Mungkin", which is not an option of scale yn (Ya, Tidak)`},
		{"empty criterion", edit("criteria: {Ya: Sudah, Tidak: Belum}", "criteria: {Ya: Sudah, Tidak: ''}"),
			`t.yaml: B.a: criteria "Tidak" is empty`},
		{"criteria on a percent scale", edit("{code: A.1.b, text: Dua, scale: pct}", "{code: A.1.b, text: Dua, scale: pct, criteria: {'100': Semua}}"),
			"t.yaml: A.1.b: a percent scale takes no criteria"},
		{"number descriptors incomplete", edit("scale: n4, evidence", "scale: n4, criteria: {'0': Nol, '4': Empat}, evidence"),
			"t.yaml: A.2.a: no criteria for value 1 (describe every whole value from 0 to 4, or none)"},
		{"number descriptor out of range", edit("scale: n4, evidence", "scale: n4, criteria: {'0': a, '1': b, '2': c, '3': d, '4': e, '5': f}, evidence"),
			`t.yaml: A.2.a: criteria for "5", want a whole value from 0 to 4`},
		{"short name too long for a sheet", edit("title: Demo\n", "title: Demo\nshort: Pemantauan Kinerja Pelayanan Publik Kabupaten\n"),
			`t.yaml: short: "Pemantauan Kinerja Pelayanan Publik Kabupaten" is longer than 31 characters (it names an Excel sheet)`},
		{"short name with a slash", edit("title: Demo\n", "title: Demo\nshort: ZI/WBK\n"),
			`t.yaml: short: "ZI/WBK" contains a character Excel forbids in a sheet name ([]:*?/\)`},
		{"grade with above and min", edit("above: 70}", "above: 70, min: 70}"),
			"t.yaml: grade BAIK: want exactly one of above and min"},
		{"grade without bound", edit(", above: 70}", "}"),
			"t.yaml: grade BAIK: want exactly one of above and min"},
		{"grade without key", edit("{key: BAIK, ", "{"), "t.yaml: grade 1: missing key"},
		{"duplicate grade key", edit("key: KURANG", "key: BAIK"), "t.yaml: grade BAIK: duplicate key"},
		{"grades not descending", edit("- {key: KURANG, label: Kurang, min: 0}", "- {key: CUKUP, label: Cukup, above: 70}\n- {key: KURANG, label: Kurang, min: 0}"), "t.yaml: grade CUKUP: bound 70 is not below the previous grade's 70 (grades go from best to worst)"},
		{"last grade not a catch-all", edit("min: 0}", "min: 10}"),
			"t.yaml: grade KURANG: the last grade must catch every score (min: 0)"},
		{"above 0 misses a score of 0", edit("min: 0}", "above: 0}"),
			"t.yaml: grade KURANG: the last grade must catch every score (min: 0)"},
		{"duplicate predicate key", edit("key: UNGGUL", "key: LULUS", "  requires_previous: LULUS\n", ""),
			"t.yaml: predicate LULUS: duplicate key"},
		{"predicate key with comma", edit("key: UNGGUL", "key: UN,GGUL"),
			"t.yaml: predicate UN,GGUL: key must be letters, digits, '_' or '-'"},
		{"predicate without rules", edit("  rules:\n  - {node: A, min: 50}\n", ""),
			"t.yaml: predicate UNGGUL: no rules"},
		{"rule on unknown node", edit("{node: A, min: 50}", "{node: C, min: 50}"),
			`t.yaml: predicate UNGGUL: rule 1: unknown node "C" (want an area code or "total")`},
		{"rule on an indicator", edit("{node: A, min: 50}", "{node: A.1.a, min: 50}"),
			`t.yaml: predicate UNGGUL: rule 1: unknown node "A.1.a" (want an area code or "total")`},
		{"rule node without min", edit("{node: A, min: 50}", "{node: A}"),
			"t.yaml: predicate UNGGUL: rule 1: want both node and min"},
		{"rule mixing forms", edit("{node: A, min: 50}", "{node: A, min_ratio: 0.5}"),
			"t.yaml: predicate UNGGUL: rule 1: want either node+min or each_child_of+min_ratio, not a mix"},
		{"empty rule", edit("{node: A, min: 50}", "{}"),
			"t.yaml: predicate UNGGUL: rule 1: want node+min or each_child_of+min_ratio"},
		{"each_child_of without ratio", edit("{each_child_of: A, min_ratio: 0.5}", "{each_child_of: A}"),
			"t.yaml: predicate LULUS: rule 2: want both each_child_of and min_ratio"},
		{"each_child_of a leaf", edit("each_child_of: A,", "each_child_of: B,"),
			"t.yaml: predicate LULUS: rule 2: each_child_of B: the area has no sub-areas"},
		{"each_child_of unknown", edit("each_child_of: A,", "each_child_of: Z,"),
			`t.yaml: predicate LULUS: rule 2: unknown node "Z" (want an area code or "total")`},
		{"min_ratio above 1", edit("min_ratio: 0.5", "min_ratio: 1.5"),
			"t.yaml: predicate LULUS: rule 2: min_ratio must be in (0, 1], got 1.5"},
		{"min_ratio zero", edit("min_ratio: 0.5", "min_ratio: 0"),
			"t.yaml: predicate LULUS: rule 2: min_ratio must be in (0, 1], got 0"},
		{"requires_previous unknown", edit("requires_previous: LULUS", "requires_previous: WBK"),
			`t.yaml: predicate UNGGUL: requires_previous "WBK" is not a predicate of this instrument`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse() = %s, want error %q", in.ID, tt.want)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.File != "t.yaml" {
				t.Errorf("error %v is not an *Error naming t.yaml", err)
			}
			if prefix, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(msg, prefix) {
					t.Errorf("error = %q, want prefix %q", msg, prefix)
				}
			} else if msg != tt.want {
				t.Errorf("error = %q\n      want %q", msg, tt.want)
			}
		})
	}
}

// Every choice indicator of the shipped sheets carries the LKE's criterion for every option, and
// every PEKPPP F-02 indicator its 0–5 descriptors; Choices lists them in the scale's order. The
// counts are the texts written per sheet (see each file's header for the sources).
func TestEmbeddedCriteria(t *testing.T) {
	cat, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatalf("LoadFS(embedded) = %v", err)
	}
	want := map[string]int{ // option texts an indicator shows, per sheet
		"ikm-2017": 0, "new-normal-2020": 80, "pekppp-2022": 180, "sakip-2021": 640, "zi-2021": 359,
	}
	for _, in := range cat.List() {
		n := 0
		for _, ind := range in.Indicators() {
			s := in.ScaleOf(ind.Code)
			choices := in.Choices(ind.Code)
			switch {
			case s.Kind == KindChoice && len(choices) != len(s.Options):
				t.Errorf("%s %s: %d choices for %d options", in.ID, ind.Code, len(choices), len(s.Options))
			case in.ID == "pekppp-2022" && !s.FromSurvey() && len(choices) != 6:
				t.Errorf("%s %s: %d descriptors, want 0–5", in.ID, ind.Code, len(choices))
			}
			for i, c := range choices {
				if strings.TrimSpace(c.Text) == "" || c.Text != ind.Criterion(c.Key) {
					t.Errorf("%s %s: choice %s has no criterion", in.ID, ind.Code, c.Key)
				}
				if s.Kind == KindNumber && c.Key != fmt.Sprint(i) {
					t.Errorf("%s %s: descriptor %d is %q, want in order from 0", in.ID, ind.Code, i, c.Key)
				}
			}
			n += len(choices)
		}
		if n != want[in.ID] {
			t.Errorf("%s: %d option texts, want %d", in.ID, n, want[in.ID])
		}
		if name := in.ShortName(); name == "" || len([]rune(name)) > MaxShortName {
			t.Errorf("%s: short name %q", in.ID, name)
		}
		t.Logf("%s (%s): %d option texts", in.ID, in.ShortName(), n)
	}
}

// The display names: a key that is a code has a name; an instrument without short gets its title
// cut at a word.
func TestDisplayNames(t *testing.T) {
	cat, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	nn, _ := cat.Get("new-normal-2020")
	zi, _ := cat.Get("zi-2021")
	for _, tt := range []struct{ got, want string }{
		{nn.GradeDisplay("SIAP_CATATAN"), "Siap dengan catatan"},
		{nn.PredicateDisplay("TATAP_MUKA"), "Layak tatap muka"},
		{zi.PredicateDisplay("WBK"), "WBK"},
		{zi.PredicateDisplay("X"), "X"},
		{zi.ShortName(), "Zona Integritas"},
		{(&Instrument{Title: "Pemantauan dan Evaluasi Kinerja Penyelenggaraan Pelayanan Publik"}).ShortName(), "Pemantauan dan Evaluasi Kinerja"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// The eligibility checklist (Rapor RB extension): ZI carries it with its source, unconfirmed;
// a malformed one is refused with one line naming the condition or fact.
func TestEligibility(t *testing.T) {
	cat, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := cat.Get("zi-2021")
	e := zi.Eligibility
	if e == nil || e.Confirmed || !strings.Contains(e.Source, "2024") || len(e.FactsAt(LevelKabupaten)) != 4 || len(e.FactsAt(LevelUnit)) != 2 || len(e.Conditions) != 9 {
		t.Fatalf("zi-2021 eligibility = %+v", e)
	}
	base := demoSheet + `eligibility:
  source: Contoh
  facts:
  - {key: opini, level: kabupaten, label: Opini, kind: choice, options: [WTP, WDP]}
  - {key: tl, level: unit, label: Tindak lanjut, kind: percent}
  conditions:
  - {for: [LULUS], text: Opini WTP, fact: opini, one_of: [WTP]}
  - {for: [UNGGUL], text: Lulus dua tahun, held: LULUS, years: 2}
`
	if _, err := Parse("t.yaml", []byte(base)); err != nil {
		t.Fatalf("valid eligibility: %v", err)
	}
	for _, tt := range []struct{ old, new, want string }{
		{"source: Contoh", "source: ''", "t.yaml: eligibility: missing source (say where the checklist comes from)"},
		{"{key: tl,", "{key: Tl,", `t.yaml: eligibility fact 2: key "Tl" must be lower-case letters, digits and '_'`},
		{"level: unit", "level: desa", `t.yaml: eligibility fact tl: unknown level "desa" (want kabupaten or unit)`},
		{"for: [LULUS]", "for: [WBK]", `t.yaml: eligibility condition 1: for: "WBK" is not a predicate of this instrument`},
		{"one_of: [WTP]", "one_of: [WTP], min: 1", "t.yaml: eligibility condition 1: want exactly one of one_of, min and above"},
		{"one_of: [WTP]", "one_of: [TMP]", `t.yaml: eligibility condition 1: "TMP" is not an option of opini`},
		{"fact: opini, one_of: [WTP]", "fact: opini, min: 1", "t.yaml: eligibility condition 1: min and above need a number or percent fact, opini is a choice"},
		{"held: LULUS, years: 2", "held: LULUS, years: 0", "t.yaml: eligibility condition 2: held must name a predicate and years be at least 1"},
		{"text: Opini WTP, ", "", "t.yaml: eligibility condition 1: missing text"},
	} {
		_, err := Parse("t.yaml", []byte(strings.Replace(base, tt.old, tt.new, 1)))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s → %s: error %v, want %q", tt.old, tt.new, err, tt.want)
		}
	}
}

// Survey-based scales: the shipped sheets mark exactly the external survey results (ZI's IPAK and
// IPKP, every IKM unsur, PEKPPP's F-03), and a sheet may mark its own.
func TestScaleSource(t *testing.T) {
	cat, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatalf("LoadFS(embedded) = %v", err)
	}
	want := map[string][]string{
		"ikm-2017":    {"IKM.U1", "IKM.U2", "IKM.U3", "IKM.U4", "IKM.U5", "IKM.U6", "IKM.U7", "IKM.U8", "IKM.U9"},
		"zi-2021":     {"H.BA.IPAK.a", "H.PP.IPKP.a"},
		"pekppp-2022": {"F03.a"},
	}
	for _, in := range cat.List() {
		var got []string
		for _, ind := range in.Indicators() {
			if in.ScaleOf(ind.Code).FromSurvey() {
				got = append(got, ind.Code)
			}
		}
		if !slices.Equal(got, want[in.ID]) {
			t.Errorf("%s: survey-based indicators %v, want %v", in.ID, got, want[in.ID])
		}
	}

	in, err := Parse("t.yaml", []byte(edit("{kind: number, min: 0, max: 4}", "{kind: number, min: 0, max: 4, source: survey}")))
	if err != nil {
		t.Fatalf("Parse(source: survey) = %v", err)
	}
	if !in.ScaleOf("A.2.a").FromSurvey() || in.ScaleOf("A.1.b").FromSurvey() {
		t.Errorf("FromSurvey: A.2.a %v, A.1.b %v; want true, false",
			in.ScaleOf("A.2.a").FromSurvey(), in.ScaleOf("A.1.b").FromSurvey())
	}
}

func TestParseWithoutGradesOrPredicates(t *testing.T) {
	s := demoSheet[:strings.Index(demoSheet, "grades:")]
	in, err := Parse("t.yaml", []byte(s))
	if err != nil {
		t.Fatalf("Parse() = %v; an instrument may have no grades and no predicates", err)
	}
	if len(in.Grades) != 0 || len(in.Predicates) != 0 {
		t.Errorf("grades %v, predicates %v; want none", in.Grades, in.Predicates)
	}
}

// A kabupaten adds a sheet by dropping a file next to the others: no code changes.
func TestNewSheetLoadsWithoutCodeChange(t *testing.T) {
	fsys := fstest.MapFS{"demo-2026.yaml": {Data: []byte(demoSheet)}}
	embedded, err := fs.Glob(instruments.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range embedded {
		data, err := fs.ReadFile(instruments.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	fsys["README.md"] = &fstest.MapFile{Data: []byte("not a sheet")}
	cat, err := LoadFS(fsys)
	if err != nil {
		t.Fatalf("LoadFS() = %v", err)
	}
	in, ok := cat.Get("demo-2026")
	if !ok {
		t.Fatal(`Get("demo-2026") not found`)
	}
	if in.NumIndicators() != 4 || len(cat.List()) != len(embedded)+1 {
		t.Errorf("demo has %d indicators, catalog %d instruments", in.NumIndicators(), len(cat.List()))
	}
}

func TestLoadFSErrors(t *testing.T) {
	_, err := LoadFS(fstest.MapFS{
		"a.yaml": {Data: []byte(demoSheet)},
		"b.yaml": {Data: []byte(demoSheet)},
	})
	if want := `b.yaml: id: duplicate id "demo-2026" (also in a.yaml)`; err == nil || err.Error() != want {
		t.Errorf("duplicate ids: err = %v, want %q", err, want)
	}
	_, err = LoadFS(fstest.MapFS{
		"a.yaml": {Data: []byte(demoSheet)},
		"b.yaml": {Data: []byte(strings.Replace(demoSheet, "scale: n4", "scale: n5", 1))},
	})
	if want := `b.yaml: A.2.a: unknown scale "n5"`; err == nil || err.Error() != want {
		t.Errorf("broken sheet: err = %v, want %q", err, want)
	}
}

func TestNewCatalog(t *testing.T) {
	a, err := Parse("a.yaml", []byte(demoSheet))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCatalog(a, a); err == nil {
		t.Error("NewCatalog(a, a) accepted a duplicate id")
	}
	if _, err := NewCatalog(&Instrument{ID: "x"}); err == nil {
		t.Error("NewCatalog accepted an instrument that Parse did not build")
	}
	c, err := NewCatalog(a)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Get("demo-2026"); !ok || got != a {
		t.Errorf("Get() = %v, %v", got, ok)
	}
}
