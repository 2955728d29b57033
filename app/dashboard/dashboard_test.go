package dashboard

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func f64(x float64) *float64 { return &x }

func rowsOf(n int) []ranking.Row {
	out := make([]ranking.Row, n)
	for i := range out {
		out[i] = ranking.Row{Unit: fmt.Sprintf("u%03d", i), Name: fmt.Sprintf("Kecamatan %03d", i), Rank: i + 1, Score: float64(100 - i%100)}
	}
	return out
}

// Thirty kecamatan are all shown; seven hundred become the top and bottom N; a search shows
// its matches whatever the size.
func TestPick(t *testing.T) {
	name := func(r ranking.Row) string { return r.Name }
	for _, tc := range []struct {
		n, keep   int
		query     string
		shown     int
		trimmed   bool
		firstLast [2]string
	}{
		{30, 15, "", 30, false, [2]string{"u000", "u029"}},
		{40, 15, "", 40, false, [2]string{"u000", "u039"}},
		{700, 15, "", 30, true, [2]string{"u000", "u699"}},
		{700, 400, "", 700, false, [2]string{"u000", "u699"}},
		{700, 15, "KECAMATAN 06", 10, true, [2]string{"u060", "u069"}},
	} {
		sel := Selection{N: tc.keep, Query: tc.query}
		got := pick(rowsOf(tc.n), name, &sel)
		if len(got) != tc.shown || sel.Trimmed != tc.trimmed || sel.Total != tc.n ||
			got[0].Unit != tc.firstLast[0] || got[len(got)-1].Unit != tc.firstLast[1] {
			t.Errorf("%d rows, N %d, %q: %d shown (%s…%s), trimmed %v", tc.n, tc.keep, tc.query, len(got), got[0].Unit, got[len(got)-1].Unit, sel.Trimmed)
		}
		if tc.n == 700 && tc.query == "" && tc.trimmed && got[15].Rank != 686 {
			t.Errorf("bottom rows keep their ranks: %d", got[15].Rank)
		}
	}
}

func TestGapsAndConsistency(t *testing.T) {
	rows := map[string][]ranking.Row{
		"zi-2021": {
			{Unit: "a", Name: "A", Self: 90, Final: f64(80), FinalizedBy: "e1"},
			{Unit: "b", Name: "B", Self: 70, Final: f64(72), FinalizedBy: "e1"},
			{Unit: "c", Name: "C", Self: 60},                 // not final: no gap
			{Unit: "d", Name: "D", Self: 55, Final: f64(52)}, // final, finalizer not recorded
			{Unit: "e", Name: "E", Self: 64, Final: f64(61), FinalizedBy: "e2"},
		},
		"sakip-2021": {{Unit: "a", Name: "A", Self: 50, Final: f64(40), FinalizedBy: "e1"}},
	}
	g := gaps(rows["zi-2021"])
	if len(g) != 4 || g[0].Unit != "a" || g[0].Gap != 10 || g[len(g)-1].Gap != -2 {
		t.Errorf("gaps = %+v", g)
	}
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := cat.Get("zi-2021")
	sakip, _ := cat.Get("sakip-2021")
	// From the recorded reviews: who finalized what.
	c := consistency(rows, []*instrument.Instrument{zi, sakip}, map[string]string{"e1": "Evaluator Satu"})
	// e1: (80-90) + (72-70) + (40-50) = -18 over 3 → -6; e2: 61-64 = -3; d counts for no one.
	if len(c) != 2 || c[0].Evaluator != "e1" || c[0].N != 3 || c[0].Mean != -6 || c[0].Min != -10 || c[0].Max != 2 || c[0].Name != "Evaluator Satu" {
		t.Errorf("consistency = %+v", c)
	}
	if c[1].Evaluator != "e2" || c[1].N != 1 || c[1].Mean != -3 || c[1].Name != "e2" || len(c[1].Instruments) != 1 {
		t.Errorf("e2 = %+v", c[1])
	}
}

func TestHeadlineAndTrend(t *testing.T) {
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := cat.Get("zi-2021")
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	p := &period.Period{Year: 2026, Instruments: []period.Window{
		{Instrument: zi.ID, SelfDeadline: "2026-11-22", ReviewDeadline: "2026-11-26"},
	}}
	rows := map[string][]ranking.Row{zi.ID: {
		{Unit: "a", Score: 90, Final: f64(90), Status: assessment.Final, Predicates: map[string]bool{"WBK": true, "WBBM": true}},
		{Unit: "b", Score: 80, Self: 80, Status: assessment.Submitted, Predicates: map[string]bool{"WBK": true}},
		{Unit: "c", Score: 40, Status: assessment.Draft, Predicates: map[string]bool{}},
	}}
	h := headline(p, []*instrument.Instrument{zi}, rows, now, time.FixedZone("WIB", 7*3600))
	if h.Units != 3 || h.Submitted != 2 || h.Finalized != 1 || h.WBK != 1 || h.WBKClaimed != 1 || h.WBBM != 1 || h.WBBMClaimed != 0 {
		t.Errorf("headline = %+v", h)
	}
	// Like with like: the final mean, the submitted self-claims apart, the draft left out.
	if a := h.Averages[0]; a.FinalMean != 90 || a.Final != 1 || a.ClaimMean != 80 || a.Claims != 1 || a.Drafts != 1 || a.N != 3 {
		t.Errorf("average = %+v", h.Averages[0])
	}
	if h.Next == nil || h.Next.Days != 3 || h.Next.Due.Day != p.Instruments[0].ReviewDeadline {
		t.Errorf("next deadline = %+v (the self deadline has passed; the review one is 3 days away)", h.Next)
	}

	// Trends compare like with like: final with last year's final, else self with last year's self.
	rows[zi.ID][0].Self, rows[zi.ID][1].Self = 93, 80
	tr := withTrend(rows[zi.ID], []ranking.Row{{Unit: "a", Score: 85.5, Final: f64(85.5), Self: 88}, {Unit: "b", Score: 76, Final: f64(76), Self: 80}})
	if *tr[0].Delta != 4.5 || tr[0].DeltaSelf || tr[0].Trend() != "naik" {
		t.Errorf("final vs final = %+v", tr[0])
	}
	if *tr[1].Delta != 0 || !tr[1].DeltaSelf || tr[1].Trend() != "tetap" {
		t.Errorf("self vs last year's self (not its final 76) = %+v", tr[1])
	}
	if tr[2].Delta != nil || tr[2].Trend() != "" {
		t.Errorf("no last year = %+v", tr[2])
	}
}

// The charts compare ZI on its six pengungkit areas and the hasil components, PEKPPP (whose
// second level is every indicator) on its aspects.
func TestCompareAreas(t *testing.T) {
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := cat.Get("zi-2021")
	if got := compareAreas(zi); len(got) != len(zi.Children("P"))+len(zi.Children("H")) || got[0].Code != "P.MP" {
		t.Errorf("ZI areas = %d, first %s", len(got), got[0].Code)
	}
	pek, _ := cat.Get("pekppp-2022")
	if got := compareAreas(pek); len(got) != len(pek.Areas) && len(got) > 16 {
		t.Errorf("PEKPPP areas = %d", len(got))
	}
}

func TestDefaultFocusIsZI(t *testing.T) {
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	var insts []*instrument.Instrument
	for _, id := range []string{"ikm-2017", "new-normal-2020", "pekppp-2022", "sakip-2021", "zi-2021"} {
		in, _ := cat.Get(id)
		insts = append(insts, in)
	}
	if got := defaultFocus(insts); got != "zi-2021" {
		t.Errorf("default focus = %s, want zi-2021 (WBK and WBBM)", got)
	}
	if got := defaultFocus(nil); got != "" {
		t.Errorf("no instruments: %q", got)
	}
}

// TestOverclaimsFollowTheSelection: at a province's size the over-claiming table lists the
// largest over- and under-claims (or the search's matches), not every kecamatan.
func TestOverclaimsFollowTheSelection(t *testing.T) {
	rows := rowsOf(700)
	for i := range rows {
		rows[i].Self, rows[i].Final = float64(i%90), f64(float64(i%80))
	}
	all := gaps(rows)
	got, sel := overclaims(rows, Selection{N: 15})
	if len(got) != 30 || !sel.Trimmed || sel.Total != 700 || got[0] != all[0] || got[29] != all[699] {
		t.Errorf("gaps of 700: %d listed (trimmed %v of %d), want the 15 largest and 15 smallest", len(got), sel.Trimmed, sel.Total)
	}
	got, sel = overclaims(rows, Selection{N: 15, Query: "Kecamatan 01"})
	if len(got) != 10 || !sel.Trimmed { // "Kecamatan 010" to "Kecamatan 019"
		t.Errorf("search: %d gaps", len(got))
	}
	if got, _ := overclaims(rows[:30], Selection{N: 15}); len(got) != 30 {
		t.Errorf("a kabupaten's 30: %d listed, want all", len(got))
	}
}
