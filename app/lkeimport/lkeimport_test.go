package lkeimport

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/export"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func zi(t *testing.T) *instrument.Instrument {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := cat.Get("zi-2021")
	return in
}

// What export.WriteLKE writes, Read reads back: the layout is shared (export.LKELayout).
func TestReadsTheExportedLKE(t *testing.T) {
	in := zi(t)
	x := 62.5
	link, err := assessment.NewLink("https://contoh.go.id/sk.pdf", "SK")
	if err != nil {
		t.Fatal(err)
	}
	sh := &assessment.Sheet{ID: "2026/zi-2021/a", Answers: []assessment.Answer{
		{Indicator: "P.MP.PM.1.a", Self: &assessment.Response{Option: "Ya", Note: "SK ada"},
			Evidence: []assessment.Evidence{link, {Kind: "file", Name: "foto.jpg"}}},
		{Indicator: "P.MP.RF.1.b", Self: &assessment.Response{Value: &x}},
	}}
	a := &assessment.Assessment{ID: sh.ID, Period: 2026, Instrument: in.ID, Unit: "a"}
	if err := assessment.Rescore(in, a, sh, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err = export.WriteLKE(&buf, in, a, sh, export.SheetInfo{UnitName: "Alpha", Year: 2026, Status: "Draf", Generated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Layout != "lke" || f.Unit != "Alpha" || f.Year != 2026 {
		t.Fatalf("file = %+v", f)
	}
	got := map[string]Row{}
	for _, r := range f.Rows {
		got[r.Code] = r
	}
	if r := got["P.MP.PM.1.a"]; r.Answer != "Ya" || r.Note != "SK ada" || r.Evidence != "SK (https://contoh.go.id/sk.pdf); foto.jpg" {
		t.Errorf("P.MP.PM.1.a = %+v", r)
	}
	if r := got["P.MP.RF.1.b"]; r.Answer != "62.5" {
		t.Errorf("P.MP.RF.1.b = %+v", r)
	}
	if _, ok := got["P.MP"]; !ok {
		t.Errorf("area rows are read too (and skipped by the plan)")
	}

	// Planned into an empty sheet of the same unit: two answers and one link change; the file
	// name is reported, not imported.
	empty := &assessment.Sheet{ID: sh.ID}
	p := Plan(f, Target{Inst: in, A: a, Sheet: empty, UnitName: "Alpha", Editable: func(string) error { return nil }})
	if !p.OK() || p.Changes != 2 || p.Links != 1 || p.Invalid != 0 {
		t.Fatalf("plan = %+v", p)
	}
	for _, l := range p.Lines {
		if l.Code == "P.MP.PM.1.a" && (l.Status != Change || !strings.Contains(l.Reason, "foto.jpg")) {
			t.Errorf("line = %+v", l)
		}
	}
	// Into the same sheet: nothing changes.
	if p := Plan(f, Target{Inst: in, A: a, Sheet: sh, UnitName: "Alpha", Editable: func(string) error { return nil }}); p.OK() || p.Changes != 0 || p.Links != 0 {
		t.Errorf("plan against itself = %+v", p)
	}
	// Into another unit: blocked.
	if p := Plan(f, Target{Inst: in, A: a, Sheet: empty, UnitName: "Beta", Editable: func(string) error { return nil }}); p.Blocked == "" {
		t.Errorf("another unit's LKE was not blocked")
	}
}

func TestPlanRefusesBadRows(t *testing.T) {
	in := zi(t)
	a := &assessment.Assessment{ID: "2026/zi-2021/a", Period: 2026, Instrument: in.ID, Unit: "a"}
	f := &File{Layout: "templat", Rows: []Row{
		{Line: 2, Code: "P.MP.PM.1.a", Answer: "mungkin"},
		{Line: 3, Code: "P.MP.RF.1.b", Answer: "120"},
		{Line: 4, Code: "P.MP.RF.1.b", Answer: "50"},
		{Line: 5, Code: "X.1", Answer: "Ya"},
		{Line: 6, Code: "P.MP.PM.1.b", Note: "tanpa jawaban"},
		{Line: 7, Code: "P.MP.PM.3.a", Evidence: "SK (https://contoh.go.id/a); https://"},
		{Line: 8, Code: "P.MP.PM.2.a", Answer: "ya"},
	}}
	p := Plan(f, Target{Inst: in, A: a, Sheet: &assessment.Sheet{ID: a.ID}, UnitName: "Alpha", Editable: func(string) error { return nil }})
	want := map[int]string{2: "mungkin", 3: "", 4: "baris 3", 5: "tidak ada", 6: "Catatan tanpa jawaban", 7: "Tautan bukti", 8: ""}
	for _, l := range p.Lines {
		w := want[l.Line]
		if l.Line == 8 {
			if l.Status != Change {
				t.Errorf("line 8 = %+v, want a change (option keys in any case)", l)
			}
			continue
		}
		if l.Status != Invalid || !strings.Contains(l.Reason, w) {
			t.Errorf("line %d = %+v, want invalid with %q", l.Line, l, w)
		}
	}
	if p.OK() || p.Invalid != 6 {
		t.Errorf("plan = %+v", p)
	}
}
