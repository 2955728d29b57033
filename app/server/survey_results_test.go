package server

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
	decimal "github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/survey"
)

// handCase is one survey of the hand-computed table: its questionnaires (nine answers each,
// "-" blank) and what PermenPANRB 14/2017's recap gives for them, worked out by hand below.
type handCase struct {
	name    string
	answers [][]string // sent through the public API
	bulk    func() [][]int
	nrr     map[string]any // 2 decimals; nil: the unsur has no answer
	ikm     any            // nil: not computable
	band    any
	n       float64
}

// The hand-computed table equals the results API, and the sheet's IKM equals the survey's.
//
//   - blanks: 4 questionnaires; U2, U3 and U4 each have one blank, left out of their mean:
//     U1 13/4 = 3,25, U2 11/3 = 3,67, U3 9/3 = 3,00, U4 11/3 = 3,67, U5 14/4 = 3,50,
//     U6 15/4 = 3,75, U7 15/4 = 3,75, U8 13/4 = 3,25, U9 13/4 = 3,25; ΣNRR = 373/12;
//     IKM = 25 × 373/12 / 9 = 9325/108 = 86,342… → 86,34, B (counting blanks as 0 would give
//     U2 = 2,75 and an IKM of 79,17).
//   - a whole unsur blank: nobody answered U4: its NRR is null and IKM cannot be computed.
//   - one respondent: U1 4, the rest 3: IKM = 25 × 28/9 = 77,777… → 77,78, B.
//   - band edges: 625 questionnaires, the first 8 answering all nine unsur, the others U1
//     only: ΣNRR = S1/625 + T/8 with S1 the sum of U1 and T that of U2–U9. IKM = 25/9 ×
//     ΣNRR is exactly 88,305 (S1 = 1353, T = 237), 76,605 (S1 = 1533, T = 201) and 64,995
//     (S1 = 1577, T = 167): 8·S1 + 625·T = 158949, 137889, 116991. Rounded half away from
//     zero: 88,31 (A), 76,61 (B), 65,00 (C). Per unsur, e.g. U4 of the first is 29/8 = 3,625
//     → 3,63.
func TestSurveyResultsHandTable(t *testing.T) {
	w := newSurveyWorldSync(t, time.Hour) // the sheet is brought up to date by hand below
	svc := w.service()
	admin := w.api("admin")
	cases := []handCase{
		{name: "blanks", answers: [][]string{
			{"4", "4", "3", "3", "4", "4", "4", "3", "3"},
			{"3", "-", "3", "4", "3", "3", "4", "4", "3"},
			{"4", "4", "-", "4", "4", "4", "3", "3", "4"},
			{"2", "3", "3", "-", "3", "4", "4", "3", "3"}},
			nrr: map[string]any{"U1": 3.25, "U2": 3.67, "U3": 3.0, "U4": 3.67, "U5": 3.5, "U6": 3.75, "U7": 3.75, "U8": 3.25, "U9": 3.25},
			ikm: 86.34, band: "B", n: 4},
		{name: "whole unsur blank", answers: [][]string{
			{"4", "3", "3", "-", "3", "4", "4", "3", "3"},
			{"3", "3", "4", "-", "4", "3", "3", "3", "4"},
			{"4", "4", "3", "-", "3", "3", "4", "4", "3"}},
			nrr: map[string]any{"U1": 3.67, "U2": 3.33, "U3": 3.33, "U4": nil, "U5": 3.33, "U6": 3.33, "U7": 3.67, "U8": 3.33, "U9": 3.33},
			ikm: nil, band: nil, n: 3},
		{name: "one respondent", answers: [][]string{{"4", "3", "3", "3", "3", "3", "3", "3", "3"}},
			nrr: map[string]any{"U1": 4.0, "U2": 3.0, "U9": 3.0}, ikm: 77.78, band: "B", n: 1},
		{name: "edge 88,305", bulk: func() [][]int { return edge(103, 3, 2, 19, 3, 4) },
			nrr: map[string]any{"U1": 2.16, "U2": 3.0, "U4": 3.63, "U5": 4.0}, ikm: 88.31, band: "A", n: 625},
		{name: "edge 76,605", bulk: func() [][]int { return edge(283, 3, 2, 9, 4, 3) },
			nrr: map[string]any{"U1": 2.45, "U2": 4.0, "U3": 3.13}, ikm: 76.61, band: "B", n: 625},
		{name: "edge 64,995", bulk: func() [][]int { return edge(327, 3, 2, 39, 3, 2) },
			nrr: map[string]any{"U1": 2.52, "U2": 3.0, "U6": 2.88, "U9": 2.0}, ikm: 65.0, band: "C", n: 625},
	}
	used := []string{}
	for _, tc := range cases {
		unit := nonFinalIKM(t, w, used)
		used = append(used, unit)
		id, token := w.create(admin, "ikm", unit, 2500)
		for _, a := range tc.answers {
			w.advance(3 * time.Minute)
			if st, body := w.answer(token, ikmAnswers(a...), time.Minute); st != 201 {
				t.Fatalf("%s: %d %v", tc.name, st, body)
			}
		}
		if tc.bulk != nil {
			sv, err := w.st.Surveys.ByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.bulk() {
				w.advance(3 * time.Minute)
				in := survey.Input{Answers: map[string]*int{}}
				for i, v := range a {
					if v != survey.Blank {
						in.Answers[fmt.Sprintf("U%d", i+1)] = &v
					}
				}
				if _, _, err := svc.Submit(context.Background(), sv, in, survey.Meta{}); err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
			}
		}
		admin = w.api("admin") // hours of questionnaires later: a fresh token
		res := w.results(admin, id)
		if res["n"] != tc.n || res["flagged"] != 0.0 || res["required_sample"] != 333.0 || res["enough"] != (tc.n >= 333) {
			t.Errorf("%s: n %v flagged %v required %v enough %v", tc.name, res["n"], res["flagged"], res["required_sample"], res["enough"])
		}
		nrr := res["nrr"].(map[string]any)
		for k, want := range tc.nrr {
			if got, ok := nrr[k]; !ok || got != want {
				t.Errorf("%s: NRR %s = %v, want %v", tc.name, k, got, want)
			}
		}
		if res["ikm"] != tc.ikm || res["band"] != tc.band {
			t.Errorf("%s: IKM %v (%v), want %v (%v)", tc.name, res["ikm"], res["band"], tc.ikm, tc.band)
		}
		// The sheet takes the survey's NRR exactly; its total is the survey's IKM.
		if err := svc.Sync(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		a, err := w.st.Assessments.ByID(context.Background(), assessment.ID(2026, "ikm-2017", unit))
		if err != nil {
			t.Fatal(err)
		}
		if tc.ikm != nil && (a.Self.Total != tc.ikm || a.Self.Grade != tc.band) {
			t.Errorf("%s: sheet total %v (%v), survey IKM %v (%v)", tc.name, a.Self.Total, a.Self.Grade, tc.ikm, tc.band)
		}
		if tc.ikm == nil && a.Self.Missing != 1 {
			t.Errorf("%s: the sheet misses %d indicators, want the blank unsur only", tc.name, a.Self.Missing)
		}
	}
}

// edge builds 625 questionnaires: U1 is 3 in ones3 of them and 2 in the others (the first 8
// all 2); the first 8 also answer U2–U9, hi of those 64 answers being hiV and the rest loV
// (filled unsur by unsur, so each of the 8 has both values, or at least differs from its
// U1); the other 617 answer U1 only.
func edge(ones3, u1hi, u1lo, hi, hiV, loV int) [][]int {
	out := make([][]int, 625)
	for i := range out {
		a := []int{u1lo, -1, -1, -1, -1, -1, -1, -1, -1}
		if i >= 8 && i < 8+ones3 {
			a[0] = u1hi
		}
		out[i] = a
	}
	k := 0
	for q := 1; q <= 8; q++ {
		for r := range 8 {
			out[r][q] = loV
			if k < hi {
				out[r][q] = hiV
			}
			k++
		}
	}
	return out
}

// nonFinalIKM returns a kecamatan whose 2026 IKM sheet is not final, other than used.
func nonFinalIKM(t *testing.T, w *surveyWorld, used []string) string {
	t.Helper()
	for _, st := range []assessment.Status{assessment.Draft, assessment.Submitted, assessment.InReview, assessment.Returned} {
		as, err := w.st.Assessments.List(context.Background(), assessment.Filter{Period: 2026, Instrument: "ikm-2017"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Status == st && !contains(used, a.Unit) {
				return a.Unit
			}
		}
	}
	t.Fatal("no kecamatan left with a non-final IKM sheet")
	return ""
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// What a crash leaves is repaired: a response counted but never pushed (a crash between the
// counter and the bucket) is skipped by readers, and responses stored but never brought to
// the sheet (a stop within the sync delay, a crash in the sync) reach it at the next start
// (SyncSurveys), before the server serves.
func TestSurveyCrashStatesAreRepaired(t *testing.T) {
	w := newSurveyWorldSync(t, time.Hour)
	ctx := context.Background()
	unit := nonFinalIKM(t, w, nil)
	id, token := w.create(w.api("admin"), "ikm", unit, 100)
	for _, a := range []string{ikmAnswers("4", "3", "3", "4", "3", "4", "4", "3", "2"), ikmAnswers("3", "3", "2", "4", "3", "3", "4", "3", "3")} {
		if st, body := w.answer(token, a, time.Minute); st != 201 {
			t.Fatalf("answer: %d %v", st, body)
		}
	}
	// The crash: the counter moved, the response never reached its bucket.
	if _, err := w.st.DB.Collection("surveys").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}}); err != nil {
		t.Fatal(err)
	}
	res := w.results(w.api("admin"), id)
	if res["received"] != 3.0 || res["n"] != 2.0 {
		t.Fatalf("after the lost push: %v", res)
	}
	a, err := w.st.Assessments.ByID(ctx, assessment.ID(2026, "ikm-2017", unit))
	if err != nil {
		t.Fatal(err)
	}
	if a.Self.Total == res["ikm"] {
		t.Fatal("the sheet already holds the survey's result before any sync")
	}
	// The next start brings the sheet up to date.
	if err := w.st.SyncSurveys(ctx, catalog, nil); err != nil {
		t.Fatal(err)
	}
	if a, err = w.st.Assessments.ByID(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	sv, err := w.st.Surveys.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Self.Total != res["ikm"] || sv.Applied.Seq != 3 || sv.Applied.Pending != "" {
		t.Errorf("after SyncSurveys: sheet %v, survey %v, applied %+v", a.Self.Total, res["ikm"], sv.Applied)
	}
	// Numbering goes on past the hole.
	st, body := w.answer(token, ikmAnswers("4", "4", "4", "3", "4", "4", "4", "4", "4"), time.Minute)
	if st != 201 || body["seq"] != 4.0 {
		t.Errorf("next answer: %d %v", st, body)
	}
}

// Syncs racing each other and the responses never take the sheet back in time: every version
// the survey writes reflects at least as many responses as the one before, and once the
// responses stop, one more sync leaves the sheet at the survey's result.
func TestSurveySyncsLandInOrder(t *testing.T) {
	w := newSurveyWorldSync(t, time.Hour)
	ctx := context.Background()
	svc := w.service()
	unit := nonFinalIKM(t, w, nil)
	id, _ := w.create(w.api("admin"), "ikm", unit, 100)
	sv, err := w.st.Surveys.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 8)
	go func() {
		defer close(done)
		for i := range 40 {
			v, u := 1+i%4, 1+(i/4)%4
			in := survey.Input{Answers: map[string]*int{"U1": &v, "U2": &u}}
			w.advance(3 * time.Minute)
			if _, _, err := svc.Submit(ctx, sv, in, survey.Meta{}); err != nil {
				errs <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := svc.Sync(ctx, id); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := svc.Sync(ctx, id); err != nil {
		t.Fatal(err)
	}
	aid := assessment.ID(2026, "ikm-2017", unit)
	sh, err := w.st.Assessments.Sheet(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	cur := *sh.Answer("IKM.U1")
	vs, err := w.st.Assessments.History(ctx, aid, cur, 0, assessment.MaxHistoryPage)
	if err != nil {
		t.Fatal(err)
	}
	last := 1 << 30
	for _, v := range vs { // newest first
		if v.By != "survei" {
			break
		}
		var n int
		if _, err := fmt.Sscanf(v.Note, "Hasil survei publik (%d responden)", &n); err != nil {
			t.Fatalf("version %d: note %q", v.Rev, v.Note)
		}
		if n > last {
			t.Errorf("version %d reflects %d responses, the later one %d: the sheet went back in time", v.Rev, n, last)
		}
		last = n
	}
	res := w.results(w.api("admin"), id)
	if got := *cur.Self.Value; decimal.Round2(got) != res["nrr"].(map[string]any)["U1"] || res["n"] != 40.0 {
		t.Errorf("after the last sync: IKM.U1 %v, survey %v (n %v)", got, res["nrr"], res["n"])
	}
}
