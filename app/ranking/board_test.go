package ranking

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/unit"
)

type fixture struct {
	d     *db.DB
	cat   *instrument.Catalog
	store *assessment.Store
	board *Board
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Fresh(t, engine)
	if err := d.Prepare(ctx, "units", "assessments", "boards", "settings"); err != nil {
		t.Fatal(err)
	}
	cat := loadCatalog(t)
	us := unit.NewStore(d)
	for _, u := range []unit.Unit{
		{Code: "alfa", Name: "Alfa", Kind: unit.Kecamatan, Parent: "kab-a"},
		{Code: "bravo", Name: "Bravo", Kind: unit.Kecamatan, Parent: "kab-a"},
		{Code: "charlie", Name: "Charlie", Kind: unit.Kecamatan, Parent: "kab-b"},
	} {
		if err := us.Put(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	st := assessment.NewStore(d)
	b := NewBoard(d, cat, us, st, 0)
	st.SetBoard(b)
	return fixture{d: d, cat: cat, store: st, board: b}
}

// put stores a ZI assessment of 2026 with the given self total (and final, when > 0).
func (f fixture) put(t *testing.T, code string, self, final float64, sheetRev int64) {
	t.Helper()
	zi, _ := f.cat.Get("zi-2021")
	var nodes assessment.Nodes
	zi.Walk(func(a *instrument.Area, _ int) { nodes = append(nodes, assessment.NodeScore{Code: a.Code, Score: 1}) })
	a := &assessment.Assessment{ID: assessment.ID(2026, zi.ID, code), Period: 2026, Instrument: zi.ID, Unit: code,
		Flow: assessment.Flow{Status: assessment.Draft}, SheetRev: sheetRev, Self: assessment.Snapshot{Total: self, Nodes: nodes}}
	if final > 0 {
		a.Status, a.Final = assessment.Final, &assessment.Snapshot{Total: final, Nodes: nodes}
	}
	if err := f.store.Put(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
}

// Every write of the assessment store reaches the board, and the cached ranking is dropped,
// so a reader sees the write at once; without writes, reads come from the cache.
func TestBoardFollowsWritesAndCaches(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t, "alfa", 70, 0, 1)
	f.put(t, "bravo", 60, 80, 1)
	f.put(t, "charlie", 65, 0, 1)

	rows, err := f.board.Rows(ctx, 2026, "zi-2021")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Unit != "bravo" || rows[1].Unit != "alfa" || rows[2].Unit != "charlie" {
		t.Fatalf("rows = %+v, want bravo (final 80), alfa (70), charlie (65)", rows)
	}
	if !rows[0].IsFinal() || rows[1].IsFinal() || rows[0].Self != 60 {
		t.Errorf("bravo = %+v", rows[0])
	}
	// Areas are kept down to depth 1 only: the ZI roots and their children.
	zi, _ := f.cat.Get("zi-2021")
	if want := len(zi.Areas) + len(zi.Children("P")) + len(zi.Children("H")); len(rows[0].Areas) != want {
		t.Errorf("%d areas on the board, want %d (depth ≤ 1)", len(rows[0].Areas), want)
	}

	again, _ := f.board.Rows(ctx, 2026, "zi-2021")
	if &again[0] != &rows[0] {
		t.Error("an unchanged ranking was read again instead of served from the cache")
	}

	f.put(t, "charlie", 95, 0, 2)
	rows, err = f.board.Rows(ctx, 2026, "zi-2021")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Unit != "charlie" || rows[0].Score != 95 {
		t.Errorf("after charlie's save, first = %s %v; the cache was not invalidated", rows[0].Unit, rows[0].Score)
	}

	// Siblings only, ranked among themselves.
	kab, err := f.board.Ranking(ctx, 2026, "zi-2021", "kab-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(kab) != 2 || kab[0].Unit != "bravo" || kab[0].Rank != 1 || kab[1].Rank != 2 {
		t.Errorf("kab-a ranking = %+v", kab)
	}
}

// A data directory from before boards existed: EnsureBuilt builds the missing board from the
// assessments, and leaves an existing one alone.
func TestEnsureBuiltBuildsMissingBoards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.store.SetBoard(nil) // writes that do not reach the board, as before boards existed
	f.put(t, "alfa", 70, 0, 1)
	f.put(t, "bravo", 60, 0, 1)
	if rows, _ := f.board.Rows(ctx, 2026, "zi-2021"); len(rows) != 0 {
		t.Fatalf("board exists before EnsureBuilt: %d rows", len(rows))
	}
	if err := f.board.EnsureBuilt(ctx, []int{2026}, []string{"zi-2021"}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.board.Rows(ctx, 2026, "zi-2021")
	if err != nil || len(rows) != 2 || rows[0].Unit != "alfa" || rows[0].Name != "Alfa" {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	f.put(t, "charlie", 99, 0, 1) // not recorded: the board is not rebuilt once it exists
	if err := f.board.EnsureBuilt(ctx, []int{2026}, []string{"zi-2021"}); err != nil {
		t.Fatal(err)
	}
	if rows, _ := f.board.Rows(ctx, 2026, "zi-2021"); len(rows) != 2 {
		t.Errorf("an existing board was rebuilt: %d rows", len(rows))
	}
}

// A stale cache entry expires after maxAge (several instances on one MongoDB).
func TestBoardCacheMaxAge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	f.board.maxAge, f.board.now = 5*time.Second, func() time.Time { return now }
	f.put(t, "alfa", 70, 0, 1)
	first, _ := f.board.Rows(ctx, 2026, "zi-2021")
	// Another instance records a write on the shared board: this process is not told.
	f.store.SetBoard(NewBoard(f.d, f.cat, unit.NewStore(f.d), f.store, 0))
	f.put(t, "bravo", 80, 0, 1)
	if rows, _ := f.board.Rows(ctx, 2026, "zi-2021"); &rows[0] != &first[0] || len(rows) != 1 {
		t.Fatalf("within maxAge the cached ranking is served: %d rows", len(rows))
	}
	now = now.Add(6 * time.Second)
	if rows, _ := f.board.Rows(ctx, 2026, "zi-2021"); len(rows) != 2 || rows[0].Unit != "bravo" {
		t.Errorf("after maxAge: %+v", rows)
	}
}

// Composite normalizes each instrument by its scale_max (PEKPPP 0–5 counts like ZI 0–100),
// weights relative to their sum, and counts a missing instrument as 0, visibly.
func TestComposite(t *testing.T) {
	cat := loadCatalog(t)
	zi, _ := cat.Get("zi-2021")
	pek, _ := cat.Get("pekppp-2022")
	f := func(x float64) *float64 { return &x }
	rows := map[string][]Row{
		zi.ID:  {{Unit: "a", Name: "A", Score: 80, Final: f(80)}, {Unit: "b", Name: "B", Score: 60}},
		pek.ID: {{Unit: "a", Name: "A", Score: 4, Final: f(4)}}, // 4 of 5 = 80
	}
	for _, tc := range []struct {
		name   string
		w      Weights
		a, b   float64
		bFinal bool
	}{
		{"equal by default", Weights{}, 80, 30, false},
		{"zi only", Weights{Weights: []Weight{{zi.ID, 1}, {pek.ID, 0}}}, 80, 60, false},
		{"zi three times", Weights{Weights: []Weight{{zi.ID, 3}, {pek.ID, 1}}}, 80, 45, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Composite([]*instrument.Instrument{zi, pek}, rows, tc.w)
			if len(got) != 2 || got[0].Unit != "a" || got[0].Index != tc.a || got[1].Index != tc.b {
				t.Fatalf("got %+v", got)
			}
			if !got[0].Final || got[1].Final {
				t.Errorf("final flags %v %v", got[0].Final, got[1].Final)
			}
			b := got[1]
			if b.Parts[1].Assessed || b.Parts[1].Points != 0 || !b.Parts[0].Assessed {
				t.Errorf("b's parts = %+v", b.Parts)
			}
			var sum float64
			for _, p := range got[0].Parts {
				sum += p.Points
			}
			if sum < got[0].Index-0.02 || sum > got[0].Index+0.02 {
				t.Errorf("parts sum %v, index %v", sum, got[0].Index)
			}
		})
	}
}

func TestWeightsValidationKeepsPrevious(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewSettings(f.d)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	saved, err := s.SetWeights(ctx, f.cat, []Weight{{"zi-2021", 2}, {"sakip-2021", 1}}, 0, "admin", now)
	if err != nil || saved.Rev != 1 {
		t.Fatalf("first save: %+v, %v", saved, err)
	}
	// Left-out instruments keep the default 1, so zero for one instrument alone is valid.
	if err := ValidateWeights(f.cat, []Weight{{"zi-2021", 0}}); err != nil {
		t.Errorf("zi at 0, the rest at 1: %v", err)
	}
	for _, tc := range []struct {
		name string
		ws   []Weight
		rev  int64
		kind apperr.Kind
	}{
		{"negative", []Weight{{"zi-2021", -1}, {"sakip-2021", 2}}, 1, apperr.Invalid},
		{"sum zero", []Weight{{"zi-2021", 0}, {"sakip-2021", 0}, {"pekppp-2022", 0}, {"ikm-2017", 0}, {"new-normal-2020", 0}}, 1, apperr.Invalid},
		{"not a number", []Weight{{"zi-2021", math.NaN()}}, 1, apperr.Invalid},
		{"too large to add up", []Weight{{"zi-2021", 1e308}, {"sakip-2021", 1e308}}, 1, apperr.Invalid},
		{"empty", nil, 1, apperr.Invalid},
		{"unknown instrument", []Weight{{"nope", 1}}, 1, apperr.Invalid},
		{"twice", []Weight{{"zi-2021", 1}, {"zi-2021", 2}}, 1, apperr.Invalid},
		{"stale rev", []Weight{{"zi-2021", 1}}, 0, apperr.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.SetWeights(ctx, f.cat, tc.ws, tc.rev, "admin", now); !apperr.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %s", err, tc.kind)
			}
			cur, err := s.Weights(ctx)
			if err != nil || cur.Rev != 1 || cur.Of("zi-2021") != 2 || cur.Of("sakip-2021") != 1 || cur.Of("ikm-2017") != 1 {
				t.Errorf("weights after refusal = %+v, %v", cur, err)
			}
		})
	}
}

// The rankings API's JSON is encoded once per change: the same bytes while nothing changes,
// the new ranking right after a write.
func TestRowsJSONFollowsWrites(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t, "alfa", 70, 0, 1)
	f.put(t, "bravo", 60, 0, 1)
	first, err := f.board.RowsJSON(ctx, 2026, "zi-2021")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := f.board.RowsJSON(ctx, 2026, "zi-2021")
	if &first[0] != &again[0] {
		t.Error("the JSON was encoded again without a change")
	}
	f.put(t, "bravo", 90, 0, 2)
	after, err := f.board.RowsJSON(ctx, 2026, "zi-2021")
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if err := json.Unmarshal(after, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Unit != "bravo" || rows[0].Self != 90 {
		t.Errorf("after bravo's save the JSON ranks %+v, want bravo first at 90", rows)
	}
}
