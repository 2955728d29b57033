package dashboard

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// A plan the planner cannot make (here: a stored answer the instrument no longer admits, as
// after a hand edit or a bad import) is logged and shown failed for its target; the page is
// still built, with the other parts of the drill-down and the rapor (a fault used to answer the
// whole page 500).
func TestPathsSurviveAPlannerFault(t *testing.T) {
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := cat.Get("zi-2021")
	var choice, valid string
	for _, ind := range zi.Indicators() {
		if opts := zi.ScaleOf(ind.Code).Options; len(opts) > 0 {
			choice, valid = ind.Code, opts[0].Key
			break
		}
	}
	if choice == "" {
		t.Fatal("no choice indicator in zi-2021")
	}
	var logged bytes.Buffer
	h := &Handler{Log: slog.New(slog.NewTextHandler(&logged, nil))}
	s := &Subject{
		A:     &assessment.Assessment{ID: "2026/zi-2021/x"},
		Inst:  zi,
		Sheet: &assessment.Sheet{Answers: []assessment.Answer{{Indicator: choice, Self: &assessment.Response{Option: "Z"}}}},
	}
	got := h.paths(t.Context(), s)
	if len(got) != len(targets(zi)) {
		t.Fatalf("%d paths, want one per target (%v)", len(got), targets(zi))
	}
	for _, v := range got {
		if !v.Failed || v.Label == "" || v.Label == v.Asked {
			t.Errorf("target %s: failed %v, label %q: want failed with a person's label", v.Asked, v.Failed, v.Label)
		}
	}
	if n := strings.Count(logged.String(), "path planner failed"); n != len(got) {
		t.Errorf("%d faults logged, want %d:\n%s", n, len(got), logged.String())
	}

	// The same subject with a valid answer plans as before.
	s.Sheet.Answers[0].Self.Option = valid
	for _, v := range h.paths(t.Context(), s) {
		if v.Failed {
			t.Errorf("target %s failed on valid answers", v.Asked)
		}
	}
}
